#!/bin/sh
# Runs the libFuzzer target for a while and prints what it did.
# Usage: run_fuzz.sh FUZZER SEED_CORPUS WORK_DIR [SECONDS]
# SECONDS defaults to 60; CHATD_FUZZ_SECONDS overrides it (e.g. 3600 for an
# hour).  New inputs go to WORK_DIR/corpus (kept between runs), crashes to
# WORK_DIR/artifacts/.  Exit status: libFuzzer's (non-zero on a crash, leak,
# timeout or failed invariant).
set -u
fuzzer=$1 seeds=$2 work=$3
secs=${CHATD_FUZZ_SECONDS:-${4:-60}}
mkdir -p "$work/corpus" "$work/artifacts" || exit 1
log="$work/fuzz.log"
echo "fuzzing $fuzzer for $secs s (seeds: $seeds, corpus: $work/corpus)"
# libFuzzer's own failure statuses (77 for an error!) would read as "skipped"
# to meson: every failure exits 1.
"$fuzzer" -max_total_time="$secs" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
  -error_exitcode=1 -timeout_exitcode=1 \
  -max_len=4096 -artifact_prefix="$work/artifacts/" "$work/corpus" "$seeds" >"$log" 2>&1
rc=$?
# The last status line ("#N DONE cov: C ft: F corp: ... exec/s: E") and the final stats.
grep -E '^#[0-9]+[[:space:]]+(INITED|DONE)' "$log" | tail -n 2
grep -E '^stat::' "$log"
summary=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -n 1)
[ -n "$summary" ] || summary=$(grep -E '^#[0-9]+[[:space:]]' "$log" | tail -n 1)
echo "$(basename "$fuzzer"): ${summary:-no status line} (exit $rc)" | tee "$work/summary.txt"
if [ "$rc" -ne 0 ]; then
  echo "--- fuzzer output (tail) ---"
  tail -n 60 "$log"
  ls -l "$work/artifacts/"
fi
exit "$rc"
