#include "web/http_response.hpp"

#include <fmt/format.h>

#include <iterator>

namespace chatd::web {

namespace {

bool has_line_break(std::string_view s) { return s.find_first_of("\r\n") != std::string_view::npos; }

}  // namespace

std::string_view http_reason_phrase(int status) {
  switch (status) {
    case 100: return "Continue";
    case 101: return "Switching Protocols";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 411: return "Length Required";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 426: return "Upgrade Required";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    default: return "Unknown";
  }
}

std::string http_response(int status, std::string_view content_type, std::string_view body,
                          std::span<const HttpHeader> extra, bool keep_alive) {
  std::string out;
  out.reserve(128 + body.size());
  auto it = std::back_inserter(out);
  fmt::format_to(it, "HTTP/1.1 {} {}\r\n", status, http_reason_phrase(status));
  if (content_type.empty() && !body.empty()) content_type = "text/plain; charset=utf-8";
  if (!content_type.empty() && !has_line_break(content_type)) {
    fmt::format_to(it, "Content-Type: {}\r\n", content_type);
  }
  if (status >= 200 && status != 204) fmt::format_to(it, "Content-Length: {}\r\n", body.size());
  if (!keep_alive) out += "Connection: close\r\n";
  for (const HttpHeader& h : extra) {
    if (h.name.empty() || has_line_break(h.name) || has_line_break(h.value)) continue;
    fmt::format_to(it, "{}: {}\r\n", h.name, h.value);
  }
  out += "\r\n";
  out += body;
  return out;
}

}  // namespace chatd::web
