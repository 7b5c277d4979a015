// The web chat's files as compiled in by web/embed_assets.py.
#include <doctest/doctest.h>

#include <string_view>

#include "web/assets.hpp"

using chatd::web::Asset;
using chatd::web::find_asset;

namespace {

constexpr std::string_view kKnown[] = {"/", "/index.html", "/app.js", "/style.css", "/favicon.svg"};

bool quoted(std::string_view s) { return s.size() >= 3 && s.front() == '"' && s.back() == '"'; }

}  // namespace

TEST_CASE("web assets: / is the page") {
  const Asset* root = find_asset("/");
  REQUIRE(root != nullptr);
  CHECK(root == find_asset("/index.html"));
  CHECK(root->path == "/index.html");
  CHECK(root->content_type == "text/html; charset=utf-8");
  CHECK(root->body.find("<!doctype html>") == 0);
  CHECK(root->body.find("app.js") != std::string_view::npos);
}

TEST_CASE("web assets: every asset has a type, a body and a quoted etag") {
  for (auto path : kKnown) {
    CAPTURE(path);
    const Asset* a = find_asset(path);
    REQUIRE(a != nullptr);
    CHECK(!a->content_type.empty());
    CHECK(!a->body.empty());
    CHECK(quoted(a->etag));
    if (a->content_type.starts_with("text/")) CHECK(a->content_type.ends_with("; charset=utf-8"));
  }
  CHECK(find_asset("/app.js")->content_type == "text/javascript; charset=utf-8");
  CHECK(find_asset("/style.css")->content_type == "text/css; charset=utf-8");
  CHECK(find_asset("/index.html")->etag != find_asset("/app.js")->etag);
}

TEST_CASE("web assets: the page's modules are all there") {
  // Every module app.js imports must be embedded, or the page breaks.
  const std::string_view app = find_asset("/app.js")->body;
  for (std::size_t at = app.find("from \"./"); at != std::string_view::npos; at = app.find("from \"./", at + 1)) {
    const auto start = at + 7;  // the '/' after the '.'
    const auto end = app.find('"', start);
    REQUIRE(end != std::string_view::npos);
    const auto path = app.substr(start, end - start);
    CAPTURE(path);
    CHECK(find_asset(path) != nullptr);
  }
}

TEST_CASE("web assets: unknown paths are null") {
  CHECK(find_asset("") == nullptr);
  CHECK(find_asset("/nope") == nullptr);
  CHECK(find_asset("/index.html?x=1") == nullptr);
  CHECK(find_asset("index.html") == nullptr);
  CHECK(find_asset("/../index.html") == nullptr);
  CHECK(find_asset("/app.js/") == nullptr);
  CHECK(find_asset("/ws") == nullptr);
  CHECK(find_asset("/embed_assets.py") == nullptr);
  CHECK(find_asset("/meson.build") == nullptr);
}
