#!/usr/bin/env python3
"""chatd-loadgen --tls against a real chatd serving --tls-listen and --web-tls,
with a certificate made at test time by the openssl CLI.

1. report over TLS (60 line clients, one room): every delivery exact.
2. report over WSS (--proto ws --tls on --web-tls, ALPN http/1.1): exact.
3. --tls against the plaintext --listen port: every handshake fails, and is
   counted as a connect error whose reason is OpenSSL's.
Exit 0 pass, 1 fail, 77 skip (no openssl CLI, or this chatd has no --tls-listen).
"""
import argparse
import shutil
import subprocess
import sys
import tempfile
from lg_common import SKIP, check, finish, free_port, stop_chatd
from lg_common import loadgen as run_loadgen
from lg_common import start_chatd as start

def make_cert(d):
    cert, key = f"{d}/cert.pem", f"{d}/key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                    "-nodes", "-days", "2", "-subj", "/CN=localhost", "-keyout", key, "-out", cert],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return cert, key


def start_chatd(chatd, backend, threads, cert, key):
    ports = {"line": free_port(), "tls": free_port(), "wss": free_port()}
    listen = ["--listen", f"127.0.0.1:{ports['line']}", "--tls-listen", f"127.0.0.1:{ports['tls']}",
              "--web-tls", f"127.0.0.1:{ports['wss']}", "--tls-cert", cert, "--tls-key", key]
    return start(chatd, backend, threads, listen, ports.values()), ports


def loadgen(path, scenario, proto, port, extra):
    return run_loadgen(path, scenario, port, ["--tls", "--proto", proto, "--threads", "2"] + extra)


def check_exact(name, rc, d, expected, joined):
    check(rc == 0, f"{name}: exit 0 (got {rc})")
    check(d.get("joined") == joined, f"{name}: all {joined} joined (got {d.get('joined')})")
    check(d.get("expected") == expected, f"{name}: expected == {expected} (got {d.get('expected')})")
    check(d.get("received") == expected, f"{name}: received == {expected} (got {d.get('received')})")
    for k in ("lost", "duplicated", "out_of_order", "unexpected", "connect_errors"):
        check(d.get(k) == 0, f"{name}: {k} == 0 (got {d.get(k)})")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--chatd", required=True)
    ap.add_argument("--loadgen", required=True)
    ap.add_argument("--backend", choices=["epoll", "uring"], default="epoll")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()

    if shutil.which("openssl") is None:
        print("SKIP: no openssl CLI")
        return SKIP
    helptext = subprocess.run([args.chatd, "--help"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True).stdout
    if "--tls-listen" not in helptext:
        print("SKIP: this chatd has no --tls-listen")
        return SKIP
    try:
        with tempfile.TemporaryDirectory() as d:
            cert, key = make_cert(d)
            proc, ports = start_chatd(args.chatd, args.backend, args.threads, cert, key)
            try:
                n = 60
                rc, r = loadgen(args.loadgen, "report", "chatd", ports["tls"],
                                ["--clients", str(n), "--timeout", "20", "--setup-timeout", "20",
                                 "--server-pid", str(proc.pid)])
                check_exact("TLS report", rc, r, n * (n - 1), n)
                rc, r = loadgen(args.loadgen, "report", "ws", ports["wss"],
                                ["--clients", "30", "--timeout", "20", "--setup-timeout", "20"])
                check_exact("WSS report", rc, r, 30 * 30, 30)
                rc, r = loadgen(args.loadgen, "report", "chatd", ports["line"],
                                ["--clients", "4", "--timeout", "5", "--setup-timeout", "10"])
                check(rc == 1, f"TLS to a plaintext port: exit 1 (got {rc})")
                check(r.get("connect_errors") == 4, f"TLS to a plaintext port: 4 connect errors (got {r.get('connect_errors')})")
                check(r.get("joined") == 0, f"TLS to a plaintext port: nobody joined (got {r.get('joined')})")
                err = r.get("first_error", "")
                check(err.startswith("TLS handshake: ") and len(err) > len("TLS handshake: "),
                      f"TLS to a plaintext port: the reason is given ({err!r})")
                check(proc.poll() is None, "chatd still running")
            finally:
                stop_chatd(proc)
    except Exception as e:  # setup trouble is a failure
        print(f"FAIL: {e}")
        return 1
    return finish()


if __name__ == "__main__":
    sys.exit(main())
