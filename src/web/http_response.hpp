#pragma once
// Complete HTTP/1.1 responses, head and body in one string.
#include <span>
#include <string>
#include <string_view>

namespace chatd::web {

// One extra header field. Plain value (views; the caller owns the bytes).
struct HttpHeader {
  std::string_view name, value;
};

// The standard reason phrase ("Not Found"), or "Unknown" for a code not in
// the table.
std::string_view http_reason_phrase(int status);

// Status line with the standard reason phrase, Content-Type (the given one,
// or text/plain when there is a body but no type), Content-Length (except
// for 1xx and 204), `Connection: close` when !keep_alive, the extra fields
// (one holding CR or LF is dropped: no header injection), the blank line,
// then the body.
std::string http_response(int status, std::string_view content_type, std::string_view body,
                          std::span<const HttpHeader> extra = {}, bool keep_alive = false);

}  // namespace chatd::web
