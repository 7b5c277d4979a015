# libFuzzer over src/chat and src/web (clang): build-fuzz.
# Sourced by tests/run-all.  Configures build-fuzz with clang, -Dfuzzing=true,
# ASan+UBSan and coverage instrumentation, builds tests/fuzz/fuzz_session,
# fuzz_http, fuzz_ws, fuzz_resp and fuzz_tls and runs them for 40, 20, 20, 15 and 15 s (CHATD_FUZZ_SECONDS
# sets the time of each) from their seeds (tests/fuzz/corpus, corpus-http,
# corpus-ws, corpus-resp, corpus-tls) plus the corpus each grew before (build-fuzz/tests/fuzz/
# fuzz-work, fuzz-work-http, fuzz-work-ws, fuzz-work-resp, fuzz-work-tls: corpus/).  A crash, leak, timeout
# or failed invariant fails the suite; the reproducer is left in that work
# directory's artifacts/.  Skipped only when clang or its libFuzzer runtime
# (libclang-rt-*-dev) is missing.
# shellcheck shell=bash
# shellcheck source=tests/suites.d/helpers.bash
source "$(dirname "${BASH_SOURCE[0]}")/helpers.bash"

fuzz_suite() {
  local dir="$CHATD_ROOT/build-fuzz" t0=$SECONDS why cxx=${CHATD_FUZZ_CXX:-clang++}
  suite_wanted fuzz || { suite_record fuzz SKIP "not selected (CHATD_EXTRA_SUITES=${CHATD_EXTRA_SUITES-})"; return; }
  echo "== fuzz: configuring and building $dir"
  if ! command -v "$cxx" >/dev/null; then
    suite_record fuzz SKIP "$cxx not found (apt-get install clang libclang-rt-14-dev)"
    return
  fi
  if ! why=$(suite_probe "$cxx" -fsanitize=fuzzer-no-link,address,undefined -- true); then
    suite_record fuzz SKIP "$cxx cannot build with -fsanitize=address,undefined: $why"
    return
  fi
  local tmp
  tmp=$(mktemp -d)
  printf 'extern "C" int LLVMFuzzerTestOneInput(const unsigned char*, unsigned long) { return 0; }\n' >"$tmp/f.cpp"
  if ! "$cxx" -fsanitize=fuzzer,address,undefined "$tmp/f.cpp" -o "$tmp/f" >"$tmp/out" 2>&1; then
    why=$(head -c 400 "$tmp/out")
    rm -rf "$tmp"
    suite_record fuzz SKIP "$cxx has no libFuzzer runtime (apt-get install libclang-rt-14-dev): $why"
    return
  fi
  rm -rf "$tmp"
  if ! suite_setup "$dir" CXX="$cxx" -Dfuzzing=true -Db_sanitize=address,undefined -Db_lundef=false \
      -Dcpp_args=-fsanitize=fuzzer-no-link -Dbuildtype=debugoptimized; then
    suite_record fuzz FAIL "meson setup $dir failed (see $dir.setup.log)"
    return
  fi
  if ! suite_build_for "$dir" fuzz_session fuzz_http fuzz_ws fuzz_resp fuzz_tls; then
    suite_record fuzz FAIL "building the fuzzers failed (see $dir.build.log)"
    return
  fi
  local secs="40 + 20 + 20 + 15"
  [ -n "${CHATD_FUZZ_SECONDS:-}" ] && secs="4 x $CHATD_FUZZ_SECONDS"
  echo "   built in $((SECONDS - t0)) s; fuzzing for $secs s"
  # Earlier summaries would pass for this run's if a target did not run.
  rm -f "$dir"/tests/fuzz/fuzz-work*/summary.txt
  run_suite "fuzz ($dir)" "$dir" --no-rebuild --suite fuzz
  local work summary
  for work in fuzz-work fuzz-work-http fuzz-work-ws fuzz-work-resp fuzz-work-tls; do
    summary="$dir/tests/fuzz/$work/summary.txt"
    [ -f "$summary" ] && echo "   $(cat "$summary")"
  done
  echo "   fuzz suite: $((SECONDS - t0)) s"
}
fuzz_suite
