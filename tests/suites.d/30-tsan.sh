# ThreadSanitizer (gcc): build-tsan.
# Sourced by tests/run-all.  Builds with -Db_sanitize=thread and runs the
# SPSC stress test (test spsc, suite unit: two threads hammering one queue)
# and multi-shard integration tests (4 shards talking through the SPSC
# mailboxes): room_order and reset_storm with --threads 4, epoll and io_uring,
# and, with epoll, conn_limits (limits shared by the shards) and burst_100k;
# private (PMs and logins across shards, the hashing thread) and
# persist-password_security (the store thread, a restart from the store; a
# small one: TSan runs the 40,000-message bursts of the others too slowly).
# A data race halts the daemon (halt_on_error=1), so the test fails.  Skipped
# only when the compiler cannot build and run a -fsanitize=thread program.
# shellcheck shell=bash
# shellcheck source=tests/suites.d/helpers.bash
source "$(dirname "${BASH_SOURCE[0]}")/helpers.bash"

tsan_suite() {
  local dir="$CHATD_ROOT/build-tsan" t0=$SECONDS why
  suite_wanted tsan || { suite_record tsan SKIP "not selected (CHATD_EXTRA_SUITES=${CHATD_EXTRA_SUITES-})"; return; }
  echo "== tsan: configuring and building $dir"
  local runner=()
  if ! why=$(suite_probe "${CXX:-c++}" -fsanitize=thread); then
    # TSan's shadow memory needs the classic address-space layout; some
    # kernels randomise mmap too much for it (vm.mmap_rnd_bits > 28).
    if command -v setarch >/dev/null && suite_probe "${CXX:-c++}" -fsanitize=thread -- setarch "$(uname -m)" -R >/dev/null; then
      runner=(setarch "$(uname -m)" -R)
      echo "   (running under '${runner[*]}': TSan needs a less randomised address space here)"
    else
      suite_record tsan SKIP "${CXX:-c++} cannot build/run with -fsanitize=thread: $why"
      return
    fi
  fi
  # gcc warns (-Wtsan) that TSan does not model std::atomic_thread_fence
  # (shard.cpp's wake-up handshake uses one); kept visible, not fatal.
  if ! suite_setup "$dir" -Db_sanitize=thread -Dbuildtype=debugoptimized -Dcpp_args=-Wno-error=tsan; then
    suite_record tsan FAIL "meson setup $dir failed (see $dir.setup.log)"
    return
  fi
  local tests=()
  while read -r name _suites; do
    case $name in
      spsc | room_order-epoll-4 | room_order-uring-4 | hostile-reset_storm-epoll-4 | \
      hostile-reset_storm-uring-4 | hostile-conn_limits-epoll-4 | hostile-burst_100k-epoll-4 | \
      private-epoll-4 | persist-password_security-uring-4 | websocket-epoll-4 | tls-uring-4)
        tests+=("$name") ;;
    esac
  done < <(suite_list "$dir")
  if [ ${#tests[@]} -eq 0 ]; then
    suite_record tsan FAIL "none of the TSan tests are defined in $dir"
    return
  fi
  if ! suite_build_for "$dir" "${tests[@]}"; then
    suite_record tsan FAIL "building $dir failed (see $dir.build.log)"
    return
  fi
  echo "   built in $((SECONDS - t0)) s; running: ${tests[*]}"
  local wrap=()
  [ ${#runner[@]} -gt 0 ] && wrap=(--wrapper "${runner[*]}")
  TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:abort_on_error=1:second_deadlock_stack=1} \
    run_suite "tsan ($dir)" "$dir" --no-rebuild --timeout-multiplier 3 "${wrap[@]}" "${tests[@]}"
  echo "   tsan suite: $((SECONDS - t0)) s"
}
tsan_suite
