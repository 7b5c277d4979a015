"""Shared helpers for chatd's service tests (Python 3 standard library only).

Each test script defines `main(ctx)` and calls `run(main)`. `run` parses
`--chatd PATH [--backend B] [--threads N]` plus the script's own options,
bounds the whole test with an alarm, maps SkipTest to exit 77 and any other
failure to exit 1, and always kills what the test started, by PID.
"""

import sys

sys.dont_write_bytecode = True

import argparse
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import traceback

EXIT_SKIP = 77
HOST = "127.0.0.1"
PROMPT_EN = b"Enter your nickname: "
SHUTDOWN_EN = "⚠️ Server shutting down. Goodbye!\n".encode()


class SkipTest(Exception):
    pass


class TestFailure(Exception):
    pass


def check(cond, what):
    if not cond:
        raise TestFailure(what)


_started = []  # Popen objects to kill at exit


def spawn(argv, **kw):
    """Popen that is remembered and killed (by PID) when the test ends."""
    p = subprocess.Popen(argv, **kw)
    _started.append(p)
    return p


def _cleanup():
    for p in _started:
        if p.poll() is None:
            try:
                os.kill(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass


def free_port():
    """A TCP port nobody listens on right now (for tools that need a number)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def require_tool(name):
    path = shutil.which(name)
    if not path:
        raise SkipTest("%s not installed" % name)
    return path


class Context:
    def __init__(self, args, tmp):
        self.args = args
        self.tmp = tmp
        self.chatd = args.chatd

    def path(self, name):
        return os.path.join(self.tmp, name)

    def write(self, name, text):
        p = self.path(name)
        with open(p, "w", encoding="utf-8") as f:
            f.write(text)
        return p

    def empty_config(self):
        """An explicit empty config: tests never depend on /etc/chatd."""
        return self.write("empty.conf", "# nothing\n")

    def daemon_args(self):
        return ["--backend", self.args.backend, "--threads", str(self.args.threads)]


class Daemon:
    """A chatd process with its stderr in a file we can search."""

    def __init__(self, ctx, argv, env=None, name="chatd", prefix=None):
        self.log_path = ctx.path(name + ".log")
        self.log_file = open(self.log_path, "wb")
        full_env = dict(os.environ)
        for k in ("NOTIFY_SOCKET", "LISTEN_FDS", "LISTEN_PID", "WATCHDOG_USEC", "WATCHDOG_PID"):
            full_env.pop(k, None)
        if env:
            full_env.update(env)
        cmd = (prefix or []) + [ctx.chatd] + argv
        self.proc = spawn(cmd, stdin=subprocess.DEVNULL, stdout=self.log_file,
                          stderr=subprocess.STDOUT, env=full_env)
        self.pid = self.proc.pid

    def log(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def wait_log(self, pattern, timeout=10, start=0):
        """Waits for a regex in the log (from offset `start`); returns the match."""
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while True:
            m = rx.search(self.log(), start)
            if m:
                return m
            if self.proc.poll() is not None:
                m = rx.search(self.log(), start)
                if m:
                    return m
                if "--backend uring:" in self.log():
                    raise SkipTest("io_uring unavailable here: " + self.log().strip().splitlines()[-1])
                raise TestFailure("chatd exited (%s) before logging /%s/; log:\n%s"
                                  % (self.proc.returncode, pattern, self.log()))
            if time.monotonic() > deadline:
                raise TestFailure("no /%s/ in the log within %ss; log:\n%s" % (pattern, timeout, self.log()))
            time.sleep(0.02)

    def port(self, timeout=10):
        m = self.wait_log(r"listening on 127\.0\.0\.1:(\d+)", timeout)
        return int(m.group(1))

    def signal(self, sig):
        os.kill(self.pid, sig)

    def wait(self, timeout):
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise TestFailure("chatd did not exit within %ss; log:\n%s" % (timeout, self.log()))


class Client:
    """One blocking TCP client with a receive buffer."""

    def __init__(self, port, host=HOST, timeout=10):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.buf = b""
        self.received = 0  # bytes read from the socket, all told
        self.sent = 0

    def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        self.sock.sendall(data)
        self.sent += len(data)

    def read_until(self, marker, timeout=10):
        """Returns everything up to and including `marker`; keeps the rest."""
        if isinstance(marker, str):
            marker = marker.encode()
        deadline = time.monotonic() + timeout
        while marker not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TestFailure("timed out waiting for %r; have %r" % (marker, self.buf[-300:]))
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                continue
            if not chunk:
                raise TestFailure("EOF while waiting for %r; have %r" % (marker, self.buf[-300:]))
            self.received += len(chunk)
            self.buf += chunk
        i = self.buf.index(marker) + len(marker)
        out, self.buf = self.buf[:i], self.buf[i:]
        return out

    def register(self, nick):
        self.read_until(PROMPT_EN)
        self.send(nick + "\n")
        self.read_until("/quit - disconnect\n")
        self.sync()

    def sync(self):
        """Round trip: everything the server sent before is in the buffer
        afterwards (replies to one client come in order)."""
        self.send("/rooms\n")
        self.read_until(b"Rooms: ")
        self.read_until(b"\n")
        self.buf = b""

    def close(self):
        self.sock.close()


def run(main, extra_args=None, timeout=120):
    ap = argparse.ArgumentParser()
    ap.add_argument("--chatd", required=True)
    ap.add_argument("--backend", default="epoll")
    ap.add_argument("--threads", type=int, default=1)
    if extra_args:
        extra_args(ap)
    args = ap.parse_args()

    def on_alarm(signum, frame):
        raise TestFailure("test took longer than %ss" % timeout)

    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(timeout)
    code = 1
    tmp = tempfile.mkdtemp(prefix="chatd-svc-")
    try:
        main(Context(args, tmp))
        code = 0
        print("PASS")
    except SkipTest as e:
        print("SKIP: %s" % e)
        code = EXIT_SKIP
    except TestFailure as e:
        print("FAIL: %s" % e)
    except Exception:
        traceback.print_exc()
    finally:
        signal.alarm(0)
        _cleanup()
        shutil.rmtree(tmp, ignore_errors=True)
    sys.exit(code)


def wait_readable(socks, timeout):
    r, _, _ = select.select(socks, [], [], timeout)
    return r
