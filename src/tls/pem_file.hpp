#pragma once
// Reading a certificate or key file whole, with one-line errors.
#include <string>
#include <string_view>

namespace chatd::tls {

// The file's bytes. Throws TlsError "OPTION FILE: cannot read it (reason)"
// or "OPTION FILE: larger than 1 MiB, not a PEM file". Free function, no state.
std::string read_pem_file(std::string_view option, const std::string& file);

}  // namespace chatd::tls
