#pragma once
// Does this kernel offer TLS offload (kTLS)? For the log and /metrics.
#include <string>

namespace chatd::tls {

// Plain value. `why` is one line either way.
struct KtlsProbe {
  bool ok = false;
  std::string why;
};

// Attaches the "tls" upper-layer protocol (setsockopt TCP_ULP) to one end
// of a loopback TCP connection it makes and closes itself. ok means the
// kernel could take records; chatd's TLS still runs in userspace, because
// its sessions run over memory BIOs (OpenSSL hands records to the kernel
// only through socket BIOs). Blocking, a few syscalls: call once at start.
KtlsProbe ktls_available();

}  // namespace chatd::tls
