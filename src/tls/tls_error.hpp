#pragma once
// The one error type of the TLS layer. Plain value.
#include <stdexcept>

namespace chatd::tls {

// A certificate or key that cannot be used. what() is one line that names
// the file and the option it came from, ready for the log or stderr.
struct TlsError : std::runtime_error {
  using runtime_error::runtime_error;
};

}  // namespace chatd::tls
