#include "shard/service_thread.hpp"

#include <pthread.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <spdlog/spdlog.h>

#include "io/clock.hpp"

namespace chatd::shard {

ServiceThread::ServiceThread(Mesh& mesh, unsigned index, std::string name, int nice)
    : index_(index),
      name_(std::move(name)),
      nice_(nice),
      reactor_(io::make_reactor(io::BackendKind::Epoll, io::ReactorConfig{})),
      mailbox_(mesh, index, *reactor_) {}

ServiceThread::~ServiceThread() { stop(); }

void ServiceThread::start() {
  thread_ = std::thread([this] { run(); });
  pthread_setname_np(thread_.native_handle(), name_.substr(0, 15).c_str());
}

void ServiceThread::stop() {
  if (!thread_.joinable()) return;
  stopping_.store(true, std::memory_order_release);
  reactor_->wake();
  thread_.join();
}

void ServiceThread::run() {
  // Linux: a thread's niceness is its own (setpriority on its tid).
  if (nice_ != 0 && ::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), nice_) != 0)
    spdlog::warn("{}: cannot lower its priority: {}", name_, std::strerror(errno));
  int timeout = 0;
  for (;;) {
    const bool stop = stopping_.load(std::memory_order_acquire);
    if (!stop && timeout != 0 && mailbox_.prepare_to_sleep()) timeout = 0;
    if (!stop) reactor_->run_once(*this, timeout);
    mailbox_.woke();
    mailbox_.drain([this](Envelope&& e) { handle(std::move(e)); });
    timeout = tick(io::coarse_now_ms());
    mailbox_.flush();
    // After the shards stopped: everything they sent, however much, is
    // handled before the thread ends (drain takes a batch at a time).
    if (stop && mailbox_.inbound_depth() == 0) break;
  }
  drain();
  mailbox_.flush();
}

}  // namespace chatd::shard
