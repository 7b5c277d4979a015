#!/usr/bin/env python3
"""Benchmarks of identity and memory (issue 10), on loopback only.

  startup  time from exec to the first served connection, with N stored
           messages (default 1,000,000 over 100 rooms) and 1,000 accounts
  logins   a login storm: 1,000 registered accounts log in, --inflight at a
           time, while two members of another room ping-pong a message
           every 20 ms: login time and the chat round trip before/during

Usage: bench/identity.py --chatd build/src/chatd [--messages N] [--accounts N]
       [--auth-threads N] [--inflight N] [--threads N]
Prints a Markdown table; writes nothing but a temporary data directory.
"""
import argparse
import os
import re
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HOST = "127.0.0.1"


def free_port():
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class Client:
    def __init__(self, port, timeout=30):
        self.s = socket.create_connection((HOST, port), timeout=timeout)
        self.buf = b""

    def send(self, text):
        self.s.sendall(text.encode() + b"\n")

    def expect(self, pattern, timeout=30):
        rx = re.compile(pattern.encode())
        end = time.monotonic() + timeout
        while True:
            m = rx.search(self.buf)
            if m:
                self.buf = self.buf[m.end():]
                return m
            left = end - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"waiting for {pattern!r}, have {self.buf[-200:]!r}")
            self.s.settimeout(left)
            data = self.s.recv(65536)
            if not data:
                raise EOFError(f"closed while waiting for {pattern!r}")
            self.buf += data

    def close(self):
        self.s.close()


def start(chatd, port, data_dir, extra):
    args = [chatd, "--listen", f"{HOST}:{port}", "--data-dir", data_dir, "--log-level", "warn",
            "--rate", "0", "--login-timeout", "0", "--login-attempts", "0", "--login-attempts-per-ip", "0",
            "--registrations-per-ip", "0"] + extra
    t0 = time.monotonic()
    p = subprocess.Popen(args)
    while True:
        try:
            c = Client(port, timeout=5)
            c.expect("nickname: ")
            return p, time.monotonic() - t0, c
        except OSError:
            if p.poll() is not None:
                sys.exit(f"chatd exited with {p.returncode}")
            if time.monotonic() - t0 > 300:
                p.kill()
                sys.exit("chatd did not start within 300 s")
            time.sleep(0.01)


def stop(p):
    p.terminate()
    try:
        p.wait(20)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def seed(chatd, data_dir, messages, rooms, accounts, threads):
    """A real hash from a real /register, then rows written straight into
    the database (the same schema the daemon created)."""
    port = free_port()
    p, _, c = start(chatd, port, data_dir, ["--threads", str(threads)])
    c.send("seeder")
    c.expect("Welcome")
    c.send("/register secret-pw")
    c.expect("Account created|Conta criada", timeout=60)
    c.close()
    stop(p)
    db = sqlite3.connect(os.path.join(data_dir, "chatd.db"))
    (hash_,) = db.execute("SELECT password_hash FROM accounts WHERE folded='seeder'").fetchone()
    now = int(time.time() * 1000)
    db.executemany("INSERT INTO accounts(folded, nick, password_hash, created_ms) VALUES(?,?,?,?)",
                   ((f"user{i:05d}", f"user{i:05d}", hash_, now) for i in range(accounts)))
    per_room = messages // rooms
    for r in range(rooms):
        cur = db.execute("INSERT INTO rooms(name, created_ms, last_seq, position) VALUES(?,?,?,?)",
                         (f"room{r:03d}", now, per_room, r + 1))
        rid = cur.lastrowid
        db.executemany("INSERT INTO messages(room_id, seq, time_ms, nick, text) VALUES(?,?,?,?,?)",
                       ((rid, s + 1, now, "seeder", f"message {s + 1} of room {r} " + "x" * 40) for s in range(per_room)))
    db.commit()
    db.close()


def bench_startup(chatd, data_dir, threads):
    port = free_port()
    p, took, c = start(chatd, port, data_dir, ["--threads", str(threads)])
    rss = rss_kib(p.pid)
    c.send("probe")
    c.expect("Welcome")
    c.send("/join room000")
    c.expect("🕘")
    c.close()
    stop(p)
    return took, rss


def pingpong(port, stop_at, samples, ready):
    """Two members of a room: A says, B hears; every 20 ms until stop_at[0]."""
    a, b = Client(port), Client(port)
    for c, n in ((a, "pingA"), (b, "pingB")):
        c.expect("nickname: ")
        c.send(n)
        c.expect("Welcome")
    a.send("/create pingroom")
    a.expect("created")
    a.send("/join pingroom")
    a.expect("joined")
    b.send("/join pingroom")
    b.expect("joined")
    a.expect("joined")
    ready.set()
    i = 0
    while time.monotonic() < stop_at[0]:
        i += 1
        t0 = time.monotonic()
        a.send(f"ping {i}")
        b.expect(f"ping {i}\n")
        samples.append((time.monotonic(), (time.monotonic() - t0) * 1000))
        time.sleep(0.02)
    a.close()
    b.close()


def bench_logins(chatd, data_dir, accounts, inflight, auth_threads, threads):
    port = free_port()
    p, _, c0 = start(chatd, port, data_dir, ["--threads", str(threads), "--auth-threads", str(auth_threads)])
    c0.close()
    samples, ready = [], threading.Event()
    lock = threading.Lock()
    times = []
    next_i = [0]

    def worker():
        while True:
            with lock:
                i = next_i[0]
                next_i[0] += 1
            if i >= accounts:
                return
            t0 = time.monotonic()
            c = Client(port, timeout=300)
            c.expect("nickname: ", timeout=300)
            c.send(f"user{i:05d}")
            c.expect("Password for |Senha para ", timeout=300)
            c.send("secret-pw")
            c.expect("Welcome|Bem-vindo", timeout=300)
            times.append((time.monotonic() - t0) * 1000)
            c.close()

    probe_stop = [time.monotonic() + 3600]
    th = threading.Thread(target=pingpong, args=(port, probe_stop, samples, ready), daemon=True)
    th.start()
    ready.wait(30)
    time.sleep(2)
    storm_start = time.monotonic()
    workers = [threading.Thread(target=worker) for _ in range(inflight)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    storm_end = time.monotonic()
    time.sleep(1)
    probe_stop[0] = 0
    th.join(10)
    stop(p)
    before = [ms for t, ms in samples if t < storm_start]
    during = [ms for t, ms in samples if storm_start <= t <= storm_end]

    def pct(v, q):
        v = sorted(v)
        return v[min(len(v) - 1, int(q * len(v)))] if v else float("nan")

    return {
        "took": storm_end - storm_start,
        "logins": len(times),
        "login_p50": pct(times, 0.5),
        "login_p99": pct(times, 0.99),
        "rtt_before_p50": pct(before, 0.5),
        "rtt_before_p99": pct(before, 0.99),
        "rtt_during_p50": pct(during, 0.5),
        "rtt_during_p99": pct(during, 0.99),
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--chatd", required=True)
    ap.add_argument("--messages", type=int, default=1_000_000)
    ap.add_argument("--rooms", type=int, default=100)
    ap.add_argument("--accounts", type=int, default=1000)
    ap.add_argument("--inflight", type=int, default=50)
    ap.add_argument("--auth-threads", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="chatd-bench-") as d:
        t0 = time.monotonic()
        seed(a.chatd, d, a.messages, a.rooms, a.accounts, a.threads)
        seeded = time.monotonic() - t0
        size = os.path.getsize(os.path.join(d, "chatd.db"))
        took, rss = bench_startup(a.chatd, d, a.threads)
        print(f"| stored | database | seeding | startup to first prompt | RSS after start |")
        print(f"|---|---|---|---|---|")
        print(f"| {a.messages:,} messages, {a.rooms} rooms, {a.accounts:,} accounts | {size / 2**20:.0f} MiB "
              f"| {seeded:.1f} s | {took * 1000:.0f} ms | {rss / 1024:.1f} MiB |")
        r = bench_logins(a.chatd, d, a.accounts, a.inflight, a.auth_threads, a.threads)
        print()
        print("| login storm | auth threads | in flight | time | logins/s | login p50 / p99 | chat RTT p50 / p99 before | during |")
        print("|---|---|---|---|---|---|---|---|")
        print(f"| {r['logins']:,} accounts | {a.auth_threads} | {a.inflight} | {r['took']:.1f} s | "
              f"{r['logins'] / r['took']:.1f} | {r['login_p50']:.0f} / {r['login_p99']:.0f} ms | "
              f"{r['rtt_before_p50']:.2f} / {r['rtt_before_p99']:.2f} ms | "
              f"{r['rtt_during_p50']:.2f} / {r['rtt_during_p99']:.2f} ms |")


if __name__ == "__main__":
    main()
