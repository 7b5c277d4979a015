// chatd-loadgen: wiring only.
#include <fmt/format.h>

#include <exception>
#include <variant>

#include "controller.hpp"
#include "options.hpp"

int main(int argc, char** argv) {
  auto parsed = chatd::loadgen::parse_options(argc, argv);
  if (const int* rc = std::get_if<int>(&parsed)) return *rc;
  try {
    return chatd::loadgen::run_scenario(std::get<chatd::loadgen::Config>(parsed));
  } catch (const std::exception& e) {
    fmt::print(stderr, "chatd-loadgen: {}\n", e.what());
    return 2;
  }
}
