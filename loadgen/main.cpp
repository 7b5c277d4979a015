// chatd-loadgen: wiring only.
#include <fmt/format.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <exception>
#include <variant>

#include "controller.hpp"
#include "options.hpp"

int main(int argc, char** argv) {
  // src/io logs what it cannot report otherwise (failed epoll_ctl, odd
  // io_uring completions); stdout carries the results, so those go to stderr.
  spdlog::set_default_logger(spdlog::stderr_logger_mt("chatd-loadgen"));
  auto parsed = chatd::loadgen::parse_options(argc, argv);
  if (const int* rc = std::get_if<int>(&parsed)) return *rc;
  try {
    return chatd::loadgen::run_scenario(std::get<chatd::loadgen::Config>(parsed));
  } catch (const std::exception& e) {
    fmt::print(stderr, "chatd-loadgen: {}\n", e.what());
    return 2;
  }
}
