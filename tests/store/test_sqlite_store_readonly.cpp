// A database file the process may not write (chmod 0444): it opens, reads
// work, every apply() fails with StoreError and leaves the store usable.
// Root ignores file modes, so the scenario runs in a child process that,
// under root, first becomes nobody.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "store/sqlite_store.hpp"
#include "store_fixtures.hpp"

using namespace chatd::store;
using namespace chatd::store::testing;

namespace {

constexpr int kSkip = 77;

// Runs in the child; returns the number of the first step that went wrong
// (0: all as expected). No doctest here: the child only reports.
int read_only_scenario(const std::string& path) {
  try {
    SqliteStore s(path);
    if (!s.read_only()) return 1;
    if (s.rooms() != std::vector<RoomRecord>{{"r", "", 1, 2}}) return 2;
    if (seqs(s.history("r", 0, 10)) != range(1, 2)) return 3;
    if (!s.account("ana")) return 4;
    for (int attempt = 0; attempt < 2; ++attempt) {  // still usable after a failure
      try {
        s.apply(std::vector<Write>{say("r", 3), PutAccount{make_account("Bob", "bob")}});
        return 5;
      } catch (const StoreError& e) {
        if (e.kind() != StoreError::Kind::Database) return 6;
        if (std::string(e.what()).find(path) == std::string::npos) return 7;
        if (std::string(e.what()).find("readonly") == std::string::npos) return 8;
      }
    }
    if (s.message_count() != 2 || s.account("bob")) return 9;
    return 0;
  } catch (...) {
    return 10;
  }
}

int run_as_unprivileged_child(const std::string& path) {
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    if (::geteuid() == 0 && (::setgid(65534) != 0 || ::setuid(65534) != 0)) ::_exit(kSkip);
    ::_exit(read_only_scenario(path));
  }
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  return WEXITSTATUS(status);
}

}  // namespace

TEST_CASE("read-only file: reads work, apply fails with StoreError") {
  TempDir dir;
  {
    SqliteStore s(dir.db());
    s.apply(std::vector<Write>{room("r"), say("r", 1), say("r", 2),
                               PutAccount{make_account("Ana", "ana")}});
  }
  // The directory stays writable (by anyone: the child may be nobody), as
  // a WAL reader needs to create the -shm file; the database file is not.
  REQUIRE(::chmod(dir.path().c_str(), 0777) == 0);
  REQUIRE(::chmod(dir.db().c_str(), 0444) == 0);
  if (::geteuid() == 0) REQUIRE(::chown(dir.db().c_str(), 0, 0) == 0);

  const int step = run_as_unprivileged_child(dir.db());
  if (step == kSkip) {
    MESSAGE("skipped: running as root and cannot become nobody");
    return;
  }
  CHECK_MESSAGE(step == 0, "read_only_scenario failed at step ", step);

  // Writable again: the file was not damaged.
  REQUIRE(::chmod(dir.db().c_str(), 0600) == 0);
  SqliteStore s(dir.db());
  s.apply(std::vector<Write>{say("r", 3)});
  CHECK(s.message_count() == 3);
}
