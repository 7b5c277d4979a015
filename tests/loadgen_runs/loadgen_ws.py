#!/usr/bin/env python3
"""chatd-loadgen --proto ws against a real chatd serving --web.

1. report (50 web clients, one room): every delivery exact; a web client
   receives its own messages, so expected == 50*50.
2. fanout (100 web clients, 2 rooms, 1 s): received == expected, nothing lost.
Exit 0 pass, 1 fail, 77 skip (this chatd has no --web).
"""
import argparse
import subprocess
import sys
from lg_common import SKIP, check, finish, free_port, stop_chatd
from lg_common import loadgen as run_loadgen
from lg_common import start_chatd as start

def start_chatd(chatd, backend, threads):
    line_port, web_port = free_port(), free_port()
    listen = ["--listen", f"127.0.0.1:{line_port}", "--web", f"127.0.0.1:{web_port}"]
    return start(chatd, backend, threads, listen, [web_port]), web_port


def loadgen(path, scenario, port, extra):
    return run_loadgen(path, scenario, port, ["--proto", "ws", "--threads", "2"] + extra)


def check_exact(name, rc, d, expected=None):
    check(rc == 0, f"{name}: exit 0 (got {rc})")
    check(bool(d), f"{name}: JSON parsed")
    if not d:
        return
    check(d.get("received") == d.get("expected"),
          f"{name}: received {d.get('received')} == expected {d.get('expected')}")
    for k in ("lost", "duplicated", "out_of_order", "unexpected"):
        check(d.get(k) == 0, f"{name}: {k} == 0 (got {d.get(k)})")
    if expected is not None:
        check(d.get("expected") == expected, f"{name}: expected == {expected} (got {d.get('expected')})")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--chatd", required=True)
    ap.add_argument("--loadgen", required=True)
    ap.add_argument("--backend", choices=["epoll", "uring"], default="epoll")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()

    helptext = subprocess.run([args.chatd, "--help"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True).stdout
    if "--web" not in helptext:
        print("SKIP: this chatd has no --web")
        return SKIP
    try:
        proc, port = start_chatd(args.chatd, args.backend, args.threads)
        try:
            rc, d = loadgen(args.loadgen, "report", port,
                            ["--clients", "50", "--timeout", "20", "--setup-timeout", "20",
                             "--server-pid", str(proc.pid)])
            check_exact("ws report", rc, d, expected=50 * 50)
            check(d.get("joined") == 50, f"ws report: all 50 joined (got {d.get('joined')})")
            rc, d = loadgen(args.loadgen, "fanout", port,
                            ["--clients", "100", "--rooms", "2", "--rate", "100", "--duration", "1",
                             "--warmup", "0.5", "--drain", "3", "--setup-timeout", "20"])
            check_exact("ws fanout", rc, d)
            check(d.get("expected", 0) > 0, "ws fanout: expected > 0")
        finally:
            stop_chatd(proc)
    except Exception as e:  # setup trouble is a failure
        print(f"FAIL: {e}")
        return 1
    return finish()


if __name__ == "__main__":
    sys.exit(main())
