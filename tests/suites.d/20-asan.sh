# AddressSanitizer + UndefinedBehaviorSanitizer (gcc): build-asan.
# Sourced by tests/run-all.  Builds chatd and the unit tests with
# -Db_sanitize=address,undefined -Dbuildtype=debugoptimized and runs
#   * the unit tests of chatd's code (suite unit, without loadgen_unit),
#   * the integration tests except the 2,000-client one (report_2000) and
#     the hostile-client tests, each in two variants: epoll with 4 shards and
#     io_uring with 1 (the main build runs all four).
# Any sanitizer report fails the test: ASan and UBSan halt the daemon, and
# leaks (LeakSanitizer, at the daemon's exit on SIGTERM) turn its exit status
# non-zero, which the harness checks.  Skipped only when the compiler cannot
# build and run a sanitized program (libasan/libubsan missing).
# shellcheck shell=bash
# shellcheck source=tests/suites.d/helpers.bash
source "$(dirname "${BASH_SOURCE[0]}")/helpers.bash"

asan_suite() {
  local dir="$CHATD_ROOT/build-asan" t0=$SECONDS why
  suite_wanted asan || { suite_record asan SKIP "not selected (CHATD_EXTRA_SUITES=${CHATD_EXTRA_SUITES-})"; return; }
  echo "== asan: configuring and building $dir"
  if ! why=$(suite_probe "${CXX:-c++}" -fsanitize=address,undefined); then
    suite_record asan SKIP "${CXX:-c++} cannot build/run with -fsanitize=address,undefined: $why"
    return
  fi
  if ! suite_setup "$dir" -Db_sanitize=address,undefined -Dbuildtype=debugoptimized; then
    suite_record asan FAIL "meson setup $dir failed (see $dir.setup.log)"
    return
  fi
  local tests=()
  while read -r name suites; do
    case ",$suites," in
      *,unit,*) [[ $name == loadgen* ]] || tests+=("$name") ;;  # chatd's code, not the load generator
      # The main build runs every variant; here epoll with 4 shards and
      # io_uring with 1 cover both backends and both shard counts.
      *,integration,* | *,hostile,*)
        [[ $name != report_2000-* && ($name == *-epoll-4 || $name == *-uring-1) ]] && tests+=("$name") ;;
    esac
  done < <(suite_list "$dir")
  if ! suite_build_for "$dir" "${tests[@]}"; then
    suite_record asan FAIL "building $dir failed (see $dir.build.log)"
    return
  fi
  echo "   built in $((SECONDS - t0)) s; running ${#tests[@]} tests"
  ASAN_OPTIONS=${ASAN_OPTIONS:-halt_on_error=1:abort_on_error=1:detect_leaks=1:print_summary=1} \
  UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:abort_on_error=1:print_stacktrace=1:print_summary=1} \
    run_suite "asan ($dir)" "$dir" --no-rebuild "${tests[@]}"
  echo "   asan suite: $((SECONDS - t0)) s"
}
asan_suite
