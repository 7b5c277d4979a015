#!/usr/bin/env python3
"""bench/summarize.py RESULTS_DIR: merges the per-run JSON objects written by
bench/run into results.json and prints a markdown summary on stdout."""
import glob
import json
import os
import sys

out = sys.argv[1]
runs = []
for path in sorted(glob.glob(os.path.join(out, "*.json"))):
    if os.path.basename(path) == "results.json":
        continue
    with open(path) as f:
        runs.append(json.load(f))
with open(os.path.join(out, "results.json"), "w") as f:
    json.dump(runs, f, indent=1)

NAMES = {"chatd": "chatd", "chatd-uring": "chatd (io_uring)", "chatd-epoll": "chatd (epoll)",
         "redis": "Redis pub/sub", "irc": "ngIRCd"}


def num(v, digits=0):
    if v is None:
        return "–"
    if isinstance(v, float) and digits:
        return f"{v:,.{digits}f}"
    return f"{v:,.0f}"


def rate(v):
    if v is None:
        return "–"
    if v >= 1e6:
        return f"{v / 1e6:.2f} M/s"
    if v >= 1e3:
        return f"{v / 1e3:.1f} k/s"
    return f"{v:.0f}/s"


def ms(us):
    if us is None:
        return "–"
    return f"{us / 1000:.1f} ms" if us >= 1000 else f"{us:.0f} µs"


def srv(d, key):
    return (d.get("server_stats") or {}).get(key)


def find(target, prefix):
    return [d for d in runs if d.get("target") == target and d.get("label", "").startswith(prefix)]


targets = [t for t in ("chatd", "chatd-uring", "chatd-epoll", "redis", "irc")
           if any(d.get("target") == t for d in runs)]

print(f"# Benchmark results ({os.path.basename(os.path.normpath(out))})\n")
env = os.path.join(out, "environment.txt")
if os.path.exists(env):
    print("```")
    print(open(env).read().strip())
    print("```\n")

# Headline: the TARGETS.md rows.
print("## Headline (TARGETS.md rows)\n")
print("| scenario | " + " | ".join(NAMES[t] for t in targets) + " |")
print("|---|" + "---|" * len(targets))


def cell_report(t):
    rs = [d for d in find(t, "report-") if d.get("clients") == 2000] or find(t, "report-")
    if not rs or rs[0].get("missing"):
        return "–"
    d = rs[0]
    lost = "" if d.get("ok") else f" **(lost {num(d.get('lost'))}, errors)**"
    return (f"{rate(d.get('deliveries_per_s'))} · {num(srv(d, 'cpu_us_per_delivery'), 3)} µs/delivery · "
            f"p99 {ms(d['latency_us']['p99'])}{lost}")


def fanout_runs(t):
    return sorted(find(t, "fanout-"), key=lambda d: d.get("rate", 0))


def fan_ok(d):
    return d.get("ok") and d.get("lost", 1) == 0 and d["latency_us"]["p99"] < 50000


def cell_fanout_best(t):
    fs = fanout_runs(t)
    if not fs:
        return "–"
    good = [d for d in fs if fan_ok(d)]
    if not good:
        d = fs[0]
        return f"< {num(d.get('rate'))} msg/s (p99 {ms(d['latency_us']['p99'])}, lost {num(d.get('lost'))})"
    d = good[-1]
    return f"**{num(d.get('rate'))} msg/s** ({rate(d.get('deliveries_per_s'))}, p99 {ms(d['latency_us']['p99'])})"


def cell_fanout_cpu(t, r=500):
    fs = [d for d in fanout_runs(t) if d.get("rate") == r]
    if not fs:
        return "–"
    return f"{num(srv(fs[0], 'cpu_us_per_delivery'), 2)} µs/delivery"


def cell_fanout_at(t, r):
    fs = [d for d in fanout_runs(t) if d.get("rate") == r]
    if not fs or fs[0].get("missing"):
        return "–"
    d = fs[0]
    return (f"{rate(d.get('deliveries_per_s'))} · lost {num(d.get('lost'))} · p99 {ms(d['latency_us']['p99'])} · "
            f"{num(srv(d, 'cpu_us_per_delivery'), 2)} µs")


def cell_idle(t, n):
    rs = [d for d in find(t, "idle-") if d.get("clients") == n]
    if not rs or rs[0].get("missing"):
        return "–"
    d = rs[0]
    note = "" if d.get("joined") == n else f" ({num(d.get('joined'))} joined)"
    return f"{num(srv(d, 'kib_per_conn'), 2)} KiB/conn{note}"


def cell_storm(t):
    rs = find(t, "storm-")
    if not rs or rs[0].get("missing"):
        return "–"
    d = rs[0]
    stranded = d.get("clients", 0) - d.get("joined", 0)
    return f"{d.get('setup_s', 0):.2f} s, {num(stranded)} stranded"


print("| report — 2,000 in one room: deliveries/s · server CPU · p99 | "
      + " | ".join(cell_report(t) for t in targets) + " |")
print("| fanout — 10,000 clients / 100 rooms: highest rate, zero loss, p99 < 50 ms | "
      + " | ".join(cell_fanout_best(t) for t in targets) + " |")
print("| fanout at 500 msg/s: server CPU per delivery | " + " | ".join(cell_fanout_cpu(t) for t in targets) + " |")
for r in (1000, 2000):
    print(f"| fanout at {r:,} msg/s: deliveries/s · loss · p99 · server CPU per delivery | "
          + " | ".join(cell_fanout_at(t, r) for t in targets) + " |")
print("| idle — 10,000 joined: daemon memory per connection | " + " | ".join(cell_idle(t, 10000) for t in targets) + " |")
print("| idle — 19,000 joined | " + " | ".join(cell_idle(t, 19000) for t in targets) + " |")
print("| storm — 10,000 connect+register+join, 1,000 in flight | " + " | ".join(cell_storm(t) for t in targets) + " |")

# Every run.
print("\n## Every run\n")
cols = ["server", "run", "joined", "setup s", "sent", "expected", "lost", "dup", "ooo", "deliveries/s",
        "p50", "p99", "p99.9", "max", "srv CPU µs/deliv", "KiB/conn", "ok", "load"]
print("| " + " | ".join(cols) + " |")
print("|" + "---|" * len(cols))
for d in runs:
    if d.get("missing"):
        print(f"| {NAMES.get(d.get('target'), '?')} | {d.get('label')} | (no result: exit {d.get('exit')}) |" + " |" * (len(cols) - 3))
        continue
    lat = d.get("latency_us", {})
    row = [NAMES.get(d.get("target"), "?"), d.get("label"), f"{num(d.get('joined'))}/{num(d.get('clients'))}",
           f"{d.get('setup_s', 0):.2f}", num(d.get("sent")), num(d.get("expected")), num(d.get("lost")),
           num(d.get("duplicated")), num(d.get("out_of_order")),
           rate(d.get("deliveries_per_s")) if d.get("sent") else "–",
           ms(lat.get("p50")) if lat.get("count") else "–", ms(lat.get("p99")) if lat.get("count") else "–",
           ms(lat.get("p999")) if lat.get("count") else "–", ms(lat.get("max")) if lat.get("count") else "–",
           num(srv(d, "cpu_us_per_delivery"), 3) if d.get("sent") else "–", num(srv(d, "kib_per_conn"), 2),
           "yes" if d.get("ok") else "**no**", d.get("loadavg_at_start", "–")]
    print("| " + " | ".join(str(c) for c in row) + " |")

print("\nlost/dup/ooo: deliveries lost, duplicated, out of order (per sender); "
      "deliveries/s: unique deliveries per second in the measured window; server CPU from "
      "/proc/PID/stat over the window; KiB/conn: server RSS growth per joined connection; "
      "load: the 1-minute load average when the run started.")
