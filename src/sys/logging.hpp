#pragma once
// Logger setup: one line per event on stderr (journald adds its own time).
#include <string_view>

namespace chatd::sys {

// Installs the default spdlog logger. Under systemd (JOURNAL_STREAM set) the
// timestamp is left to the journal.
void setup_logging(std::string_view level);
bool set_log_level(std::string_view level);

}  // namespace chatd::sys
