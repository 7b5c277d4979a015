"""What the loadgen runs share: checks, a chatd on free loopback ports
(killed by PID), and one chatd-loadgen run read back as JSON."""

import json
import socket
import subprocess
import sys
import time

SKIP = 77
failures = []


class Skip(Exception):
    pass


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        failures.append(what)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_chatd(chatd, backend, threads, listen_args, ports, extra=()):
    """Starts chatd with `listen_args` (which name `ports`) and waits until every port accepts."""
    cmd = [chatd] + list(listen_args) + ["--rate", "0", "--log-level", "warn", "--backend", backend,
                                         "--threads", str(threads)] + list(extra)
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            err = proc.stderr.read().strip()
            if backend == "uring":
                raise Skip(f"chatd refused --backend uring: {err}")
            raise RuntimeError(f"chatd exited {proc.returncode}: {err}")
        try:
            for p in ports:
                socket.create_connection(("127.0.0.1", p), timeout=0.2).close()
            return proc
        except OSError:
            time.sleep(0.05)
    proc.kill()
    proc.wait()
    raise RuntimeError("chatd did not accept connections within 10 s")


def stop_chatd(proc):
    if proc.poll() is None:
        proc.kill()  # by PID (the Popen object), never by name
    proc.wait()
    err = proc.stderr.read()
    if err.strip():
        print("chatd stderr (tail):", err.strip()[-500:], file=sys.stderr)


KEYS = ("joined", "expected", "received", "lost", "duplicated", "out_of_order", "unexpected",
        "connect_errors", "register_errors", "closed_unexpected", "slow", "first_error")


def loadgen(path, scenario, port, extra):
    """One bounded chatd-loadgen run: (exit status, its JSON report or {})."""
    cmd = ["timeout", "60", path, scenario, "--port", str(port), "--json", "--quiet"] + list(extra)
    print("$ " + " ".join(cmd), flush=True)
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        d = json.loads(r.stdout)
    except ValueError:
        print(r.stderr[-2000:], file=sys.stderr)
        d = {}
    print(f"  rc={r.returncode} " + " ".join(f"{k}={d.get(k)}" for k in KEYS if k in d), flush=True)
    return r.returncode, d


def finish():
    if failures:
        print(f"{len(failures)} check(s) failed")
        return 1
    print("all checks passed")
    return 0
