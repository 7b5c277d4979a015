#pragma once
// The web chat's files (web/), compiled into the binary by
// web/embed_assets.py: nothing is read from disk at run time.
#include <string_view>

namespace chatd::web {

// Plain value; every field views static storage, valid for the whole run.
struct Asset {
  std::string_view path;          // "/index.html", "/app.js", ...
  std::string_view content_type;  // with "; charset=utf-8" for text
  std::string_view body;
  std::string_view etag;  // quoted ("\"…\""), a hash of body: ready for ETag / If-None-Match
};

// The asset served at `path` ("/" is index.html); nullptr when unknown.
// The path is matched exactly: no query string, no normalisation.
const Asset* find_asset(std::string_view path);

}  // namespace chatd::web
