#!/usr/bin/env python3
"""chatd-loadgen --proto ws against a real chatd serving --web.

1. report (50 web clients, one room): every delivery exact; a web client
   receives its own messages, so expected == 50*50.
2. fanout (100 web clients, 2 rooms, 1 s): received == expected, nothing lost.
Exit 0 pass, 1 fail, 77 skip (this chatd has no --web).
"""
import argparse
import json
import socket
import subprocess
import sys
import time

SKIP = 77
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        failures.append(what)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_chatd(chatd, backend, threads):
    line_port, web_port = free_port(), free_port()
    cmd = [chatd, "--listen", f"127.0.0.1:{line_port}", "--web", f"127.0.0.1:{web_port}",
           "--rate", "0", "--log-level", "warn", "--backend", backend, "--threads", str(threads)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"chatd exited {proc.returncode}: {proc.stderr.read().strip()}")
        try:
            socket.create_connection(("127.0.0.1", web_port), timeout=0.2).close()
            return proc, web_port
        except OSError:
            time.sleep(0.05)
    proc.kill()
    proc.wait()
    raise RuntimeError("chatd did not accept web connections within 10 s")


def stop_chatd(proc):
    if proc.poll() is None:
        proc.kill()  # by PID (the Popen object), never by name
    proc.wait()
    err = proc.stderr.read()
    if err.strip():
        print("chatd stderr (tail):", err.strip()[-500:], file=sys.stderr)


def loadgen(path, scenario, port, extra):
    cmd = ["timeout", "60", path, scenario, "--proto", "ws", "--port", str(port),
           "--json", "--quiet", "--threads", "2"] + extra
    print("$ " + " ".join(cmd), flush=True)
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        d = json.loads(r.stdout)
    except ValueError:
        print(r.stderr[-2000:], file=sys.stderr)
        d = {}
    keys = ("joined", "expected", "received", "lost", "duplicated", "out_of_order",
            "unexpected", "closed_unexpected", "first_error")
    print(f"  rc={r.returncode} " + " ".join(f"{k}={d.get(k)}" for k in keys if k in d), flush=True)
    return r.returncode, d


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
    if failures:
        print(f"{len(failures)} check(s) failed")
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
