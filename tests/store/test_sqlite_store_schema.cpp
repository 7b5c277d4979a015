// SqliteStore on disk: the schema is created, survives close and reopen,
// and files that are not chatd databases are refused with one line naming
// the file.
#include <doctest/doctest.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <fstream>
#include <string>
#include <vector>

#include "store/sqlite_store.hpp"
#include "store_fixtures.hpp"

using namespace chatd::store;
using namespace chatd::store::testing;

namespace {

// Raw SQL against a closed store's file, for setting up hostile files.
void raw_exec(const std::string& path, const char* sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  const int rc = sqlite3_exec(db, sql, nullptr, nullptr, nullptr);
  sqlite3_close(db);
  REQUIRE(rc == SQLITE_OK);
}

void overwrite(const std::string& path, std::streamoff at, const std::string& bytes) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  REQUIRE(f.good());
  f.seekp(at);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// The open fails with a Database error whose message names the file, on
// one line, and contains `expected`.
void check_refused(const std::string& path, const char* expected,
                   const SqliteOptions& options = {}) {
  try {
    SqliteStore s(path, options);
    FAIL("opened ", path);
  } catch (const StoreError& e) {
    const std::string what = e.what();
    CAPTURE(what);
    CHECK(e.kind() == StoreError::Kind::Database);
    CHECK(what.find(path) != std::string::npos);
    CHECK(what.find(expected) != std::string::npos);
    CHECK(what.find('\n') == std::string::npos);
  }
}

}  // namespace

TEST_CASE("schema: a new file gets the schema, mode 0600, and keeps data across reopen") {
  TempDir dir;
  {
    SqliteStore s(dir.db());
    CHECK(s.path() == dir.db());
    CHECK_FALSE(s.read_only());
    CHECK(s.rooms().empty());
    CHECK(s.message_count() == 0);
    const std::vector<Write> batch = {
        room("lobby", 10), room("dev", 20),    say("lobby", 1, "one"),
        say("lobby", 2, "two"), say("dev", 1), PutAccount{make_account("Ana", "ana")},
        QueuePm{"ana", "Bob", 30, "psst"},      SetTopic{"dev", "compilers"},
    };
    s.apply(batch);
  }
  struct stat st {};
  REQUIRE(::stat(dir.db().c_str(), &st) == 0);
  CHECK((st.st_mode & 077) == 0);  // password hashes: owner only

  SqliteStore s(dir.db());
  CHECK(s.rooms() == std::vector<RoomRecord>{{"lobby", "", 10, 2}, {"dev", "compilers", 20, 1}});
  CHECK(s.history("lobby", 0, 10) ==
        std::vector<StoredMessage>{{"lobby", 1, 1000, "ana", "one"},
                                   {"lobby", 2, 1000, "ana", "two"}});
  CHECK(s.account("ana") == make_account("Ana", "ana"));
  REQUIRE(s.pending_pms("ana").size() == 1);
  CHECK(s.pending_pms("ana")[0].text == "psst");
  CHECK(s.message_count() == 3);
  // Numbering resumes from the stored last_seq.
  s.apply(std::vector<Write>{say("lobby", 3)});
  CHECK(s.rooms()[0].last_seq == 3);
}

TEST_CASE("schema: an empty path is a private in-memory store") {
  SqliteStore a("");
  SqliteStore b("");
  CHECK(a.path() == ":memory:");
  a.apply(std::vector<Write>{room("x")});
  CHECK(a.rooms().size() == 1);
  CHECK(b.rooms().empty());
}

TEST_CASE("schema: an existing empty file becomes a chatd database") {
  TempDir dir;
  { std::ofstream(dir.db()); }
  SqliteStore s(dir.db());
  s.apply(std::vector<Write>{room("x")});
  CHECK(s.rooms().size() == 1);
}

TEST_CASE("schema: a file that is not a database is refused") {
  TempDir dir;
  {
    std::ofstream f(dir.db());
    for (int i = 0; i < 200; ++i) f << "this is a log file, not a database\n";
  }
  check_refused(dir.db(), "not a database");
}

TEST_CASE("schema: a chatd database whose header was overwritten is refused") {
  TempDir dir;
  { SqliteStore s(dir.db()); s.apply(std::vector<Write>{room("x")}); }
  overwrite(dir.db(), 0, "garbage garbage garbage");
  check_refused(dir.db(), "not a database");
}

TEST_CASE("schema: check_integrity finds a corrupt page that opening does not read") {
  TempDir dir;
  {
    SqliteStore s(dir.db());
    std::vector<Write> batch = {room("x")};
    for (std::uint64_t i = 1; i <= 5000; ++i) batch.push_back(say("x", i, std::string(100, 'm')));
    s.apply(batch);
  }
  // Page 1 (the schema) stays intact; a page in the middle of the messages
  // b-tree gets junk.
  overwrite(dir.db(), 20 * 4096 + 8, std::string(2000, '\x5a'));
  check_refused(dir.db(), "integrity check failed", SqliteOptions{.check_integrity = true});
}

TEST_CASE("schema: another program's SQLite database is left alone") {
  TempDir dir;
  raw_exec(dir.db(), "CREATE TABLE notes(body TEXT); INSERT INTO notes VALUES('mine');");
  check_refused(dir.db(), "not a chatd database");
  // Untouched: still in its rollback-journal mode, still readable.
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(dir.db().c_str(), &db) == SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(st) == SQLITE_ROW);
  CHECK(std::string(reinterpret_cast<const char*>(sqlite3_column_text(st, 0))) == "delete");
  sqlite3_finalize(st);
  sqlite3_close(db);
}

TEST_CASE("schema: a newer schema version is refused") {
  TempDir dir;
  { SqliteStore s(dir.db()); }
  raw_exec(dir.db(), "PRAGMA user_version = 99");
  check_refused(dir.db(), "schema version 99 is newer");
}

TEST_CASE("schema: a missing directory is reported with the path and the OS reason") {
  TempDir dir;
  const std::string path = dir.file("missing/chatd.db");
  check_refused(path, "No such file or directory");
}
