#include "sys/logging.hpp"

#include <unistd.h>

#include <cstdlib>
#include <string>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace chatd::sys {

void setup_logging(std::string_view level) {
  std::shared_ptr<spdlog::logger> logger;
  if (::isatty(STDERR_FILENO))
    logger = spdlog::stderr_color_mt("chatd");
  else
    logger = spdlog::stderr_logger_mt("chatd");
  if (std::getenv("JOURNAL_STREAM"))
    logger->set_pattern("%l: %v");
  else
    logger->set_pattern("%Y-%m-%d %H:%M:%S.%e %^%l%$ %v");
  spdlog::set_default_logger(logger);
  set_log_level(level);
  // Warnings and worse must not sit in a buffer when the process dies.
  spdlog::flush_on(spdlog::level::warn);
}

bool set_log_level(std::string_view level) {
  auto lvl = spdlog::level::from_str(std::string(level));
  if (lvl == spdlog::level::off && level != "off") return false;
  spdlog::set_level(lvl);
  spdlog::flush_on(lvl <= spdlog::level::info ? lvl : spdlog::level::warn);
  return true;
}

}  // namespace chatd::sys
