#include "connector.hpp"

#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <system_error>

namespace chatd::loadgen {

Connector::Connector(std::vector<Endpoint> servers, std::optional<SourceRange> sources,
                     std::uint64_t connect_timeout_ns)
    : servers_(std::move(servers)), sources_(sources), timeout_ns_(connect_timeout_ns),
      ep_(::epoll_create1(EPOLL_CLOEXEC)) {
  if (!ep_) throw std::system_error(errno, std::generic_category(), "epoll_create1");
}

Connector::Started Connector::start(std::uint64_t key, std::uint64_t now_ns, const Options& opt) {
  Started out;
  const Endpoint& server = servers_[opt.server % servers_.size()];
  Fd fd(::socket(server.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd) {
    out.err = errno;
    return out;
  }
  const int one = 1;
  ::setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (opt.rcvbuf > 0) ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVBUF, &opt.rcvbuf, sizeof opt.rcvbuf);
  if (sources_ && server.family() == AF_INET) {
    // Defer the port choice to connect() so ports are unique per 4-tuple,
    // not per source address.
    ::setsockopt(fd.get(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
    const sockaddr_in src = sources_->at(next_source_++);
    if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&src), sizeof src) != 0) {
      out.err = errno;
      return out;
    }
  }
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&server.addr), server.len) == 0) {
    out.fd = std::move(fd);
    return out;
  }
  if (errno != EINPROGRESS) {
    out.err = errno;
    return out;
  }
  epoll_event ev{};
  ev.events = EPOLLOUT;
  ev.data.u64 = key;
  if (::epoll_ctl(ep_.get(), EPOLL_CTL_ADD, fd.get(), &ev) != 0) {
    out.err = errno;
    return out;
  }
  pending_.insert_or_assign(key, Pending{std::move(fd), now_ns + timeout_ns_});
  return out;
}

void Connector::harvest() {
  std::array<epoll_event, 256> evs;
  for (;;) {
    const int n = ::epoll_wait(ep_.get(), evs.data(), static_cast<int>(evs.size()), 0);
    if (n <= 0) return;
    for (int i = 0; i < n; ++i) {
      const std::uint64_t key = evs[static_cast<std::size_t>(i)].data.u64;
      auto it = pending_.find(key);
      if (it == pending_.end()) continue;
      int err = 0;
      socklen_t len = sizeof err;
      if (::getsockopt(it->second.fd.get(), SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
      ::epoll_ctl(ep_.get(), EPOLL_CTL_DEL, it->second.fd.get(), nullptr);
      ready_.push_back({key, err});
    }
    if (n < static_cast<int>(evs.size())) return;
  }
}

}  // namespace chatd::loadgen
