# Helpers for the extra suites in tests/suites.d/*.sh (sourced by them, not a
# suite itself: tests/run-all sources only *.sh).  Each suite configures and
# builds its own build directory, then calls run-all's run_suite.
#
# Environment:
#   CHATD_EXTRA_SUITES  space-separated names of the extra suites to run
#                       (asan tsan fuzz); default: all.  "none" runs none.
#   CHATD_FUZZ_SECONDS  how long the fuzz suite fuzzes (default 60).

CHATD_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CHATD_MESON_OPTS=(--wrap-mode=nodownload -Dwerror=true)

# True when suite $1 is selected by CHATD_EXTRA_SUITES.
suite_wanted() {
  local sel=${CHATD_EXTRA_SUITES:-asan tsan fuzz}
  [[ " $sel " == *" $1 "* ]]
}

# Records one pseudo-test result (SKIP or FAIL) for tests/summary.py, which
# reads meson's testlog.json format: one JSON object per line.
suite_record() {  # name, result (SKIP|FAIL), message
  local name=$1 result=$2 msg=$3 dir
  dir="$CHATD_ROOT/build-extra-suites"
  mkdir -p "$dir"
  local file="$dir/$name.json"
  python3 - "$file" "$name" "$result" "$msg" <<'PY'
import json, sys
path, name, result, msg = sys.argv[1:5]
with open(path, "w", encoding="utf-8") as f:
    f.write(json.dumps({"name": name, "result": result, "stdout": msg}) + "\n")
PY
  logs+=("$file")
  if [ "$result" = SKIP ]; then
    echo "SKIP $name: $msg"
  else
    echo "FAIL $name: $msg"
  fi
}

# Compiles (and runs) a tiny program with the given compiler and flags.
# Prints the compiler's or the program's complaint on failure.
suite_probe() {  # compiler, flags..., [-- runner...]
  local cxx=$1; shift
  local flags=() runner=()
  while [ $# -gt 0 ] && [ "$1" != -- ]; do flags+=("$1"); shift; done
  [ "${1:-}" = -- ] && { shift; runner=("$@"); }
  local tmp
  tmp=$(mktemp -d) || return 1
  cat >"$tmp/probe.cpp" <<'CPP'
#include <thread>
int main() { int x = 0; std::thread t([&] { x = 1; }); t.join(); return x - 1; }
CPP
  local rc=0
  if ! "$cxx" "${flags[@]}" -pthread "$tmp/probe.cpp" -o "$tmp/probe" >"$tmp/out" 2>&1; then
    rc=1
  elif ! "${runner[@]}" "$tmp/probe" >"$tmp/out" 2>&1; then
    rc=2
  fi
  [ $rc -ne 0 ] && head -c 600 "$tmp/out"
  rm -rf "$tmp"
  return $rc
}

# meson setup DIR with exactly these options; a directory set up with other
# options (or another compiler) is wiped first.  Output goes to DIR.setup.log.
suite_setup() {  # dir, env assignments (CXX=...) and meson options...
  local dir=$1; shift
  local envs=() opts=()
  for a in "$@"; do
    if [[ $a == *=* && $a != -* ]]; then envs+=("$a"); else opts+=("$a"); fi
  done
  local stamp="${envs[*]} ${CHATD_MESON_OPTS[*]} ${opts[*]}"
  if [ -f "$dir/build.ninja" ] && [ "$(cat "$dir/.chatd-setup" 2>/dev/null)" = "$stamp" ]; then
    return 0
  fi
  rm -rf "$dir"
  if ! env "${envs[@]}" meson setup "$dir" "${CHATD_MESON_OPTS[@]}" "${opts[@]}" >"$dir.setup.log" 2>&1; then
    tail -n 30 "$dir.setup.log"
    return 1
  fi
  echo "$stamp" >"$dir/.chatd-setup"
}

# Names of the tests in DIR with their suites: "name suite1,suite2", one a line.
suite_list() {  # dir
  meson introspect "$1" --tests | python3 -c '
import json, sys
for t in json.load(sys.stdin):
    print(t["name"], ",".join(s.split(":")[-1] for s in t["suite"]))
'
}

# Builds the executables the named tests run (their command, and any build
# target among their arguments, such as --chatd PATH), and nothing else.
suite_build_for() {  # dir, test names...
  local dir=$1; shift
  local targets
  targets=$(python3 - "$dir" "$@" <<'PY'
import json, os, subprocess, sys
build = os.path.realpath(sys.argv[1])
names = set(sys.argv[2:])
intro = lambda what: json.loads(subprocess.check_output(["meson", "introspect", build, what]))
outputs = {}
for t in intro("--targets"):
    for f in t.get("filename", []):
        outputs[os.path.realpath(f)] = os.path.relpath(os.path.realpath(f), build)
want = set()
for t in intro("--tests"):
    if t["name"] in names:
        for a in t["cmd"]:
            p = os.path.realpath(os.path.join(build, a))
            if p in outputs:
                want.add(outputs[p])
print("\n".join(sorted(want)))
PY
) || return 1
  [ -n "$targets" ] || return 0
  # shellcheck disable=SC2086
  ninja -C "$dir" $targets >"$dir.build.log" 2>&1 || { tail -n 40 "$dir.build.log"; return 1; }
}
