"""Helpers shared by the hostile-client tests (issue 5).

Reuses tests/integration/chatd_harness.py (imported from there, not copied)
and adds what these tests need on top: the Portuguese texts of the limit
replies, clients bound to a chosen source address, background line readers
with arrival times, and a few room/timing helpers.  Python 3 stdlib only.
"""

import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))

import select  # noqa: E402
import socket  # noqa: E402
import struct  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402

import chatd_harness as H  # noqa: E402
from chatd_harness import close_all, in_room, sentinel  # noqa: E402,F401
from chatd_harness import (HOST, PROMPT_PT, PT, Checks, Client, Daemon, TestFailure,  # noqa: E402,F401
                           TestSkip, arg_parser, daemon, fail, log, run, short, welcome_pt)


class PTX:
    """Portuguese texts of the limit replies (src/chat/replies.cpp), each ending in a newline."""

    line_too_long = staticmethod(
        lambda n: "⚠️ Linha longa demais (máximo %d bytes): descartada.\n" % n)
    login_timeout = "❌ Tempo esgotado esperando o apelido.\n"
    slow_consumer = "❌ Desconectado: saída pendente acima do limite (leitura lenta).\n"
    server_full = "❌ Servidor lotado. Tente mais tarde.\n"
    too_many_from_ip = "❌ Conexões demais deste endereço.\n"
    flood = "❌ Desconectado: mensagens demais (flood).\n"
    rooms_too_fast = "⚠️ Você está criando salas rápido demais. Aguarde um minuto.\n"
    nick_invalid = "⚠️ Apelido inválido: use de 1 a 32 caracteres, sem começar com '/'.\n"
    room_invalid = "⚠️ Nome de sala inválido: use de 1 a 64 caracteres.\n"


class SrcClient(Client):
    """A harness Client whose socket is bound to `source` (e.g. 127.0.0.2) first."""

    def __init__(self, port, source, name=None, connect_timeout=5.0, rcvbuf=None):
        H.Stream.__init__(self, name)
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            if rcvbuf:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
            s.bind((source, 0))
            s.settimeout(connect_timeout)
            s.connect((HOST, port))
        except BaseException:
            s.close()
            raise
        s.settimeout(10.0)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock = s
        self.local_port = s.getsockname()[1]
        self.closed = False


def raw_connect(port, source=None, timeout=5.0, rcvbuf=None):
    """A plain blocking socket to the daemon (not a harness Client)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        if rcvbuf:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        if source:
            s.bind((source, 0))
        s.settimeout(timeout)
        s.connect((HOST, port))
    except BaseException:
        s.close()
        raise
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def abort_socket(s):
    """Close with SO_LINGER 0: the kernel sends a RST."""
    try:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    s.close()


class LineReader(threading.Thread):
    """Reads a socket in the background; keeps every complete line with its arrival time.

    `lines` is a list of (monotonic time, bytes without the newline).  Stops
    at EOF, on a reset (reset=True) or when stop() is called.
    """

    def __init__(self, sock, name="reader", initial=b""):
        super().__init__(name=name, daemon=True)
        self.sock = sock
        self.lines = []
        self.partial = bytearray()
        self.bytes = 0
        self.eof = False
        self.reset = False
        self.error = None
        self._halt = threading.Event()
        self.cond = threading.Condition()
        if initial:
            self._feed(bytes(initial), time.monotonic())

    def _feed(self, data, now):
        self.bytes += len(data)
        self.partial += data
        if b"\n" not in data:
            return
        *full, rest = bytes(self.partial).split(b"\n")
        self.partial = bytearray(rest)
        with self.cond:
            self.lines.extend((now, ln) for ln in full)
            self.cond.notify_all()

    def run(self):
        try:
            while not self._halt.is_set():
                r, _, _ = select.select([self.sock], [], [], 0.1)
                if not r:
                    continue
                try:
                    data = self.sock.recv(1 << 20)
                except ConnectionResetError:
                    self.reset = True
                    break
                except (BlockingIOError, InterruptedError):
                    continue
                if not data:
                    break
                self._feed(data, time.monotonic())
        except Exception as e:  # reported by the test
            self.error = e
        finally:
            with self.cond:
                self.eof = True
                self.cond.notify_all()

    def stop(self):
        self._halt.set()
        self.join(5)

    def wait_for(self, pred, timeout):
        """Wait until pred(lines) is true (or EOF/timeout). Returns pred's last value."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                v = pred(self.lines)
                if v or self.eof:
                    return v
                left = deadline - time.monotonic()
                if left <= 0:
                    return v
                self.cond.wait(min(left, 0.2))

    def wait_line(self, match, timeout, start=0):
        """Wait for a line equal to `match` (bytes) or for which match(line) is true,
        looking at every line from index `start` on. Returns its index, or None."""
        if isinstance(match, (bytes, bytearray)):
            want = bytes(match)
            match = lambda ln: ln == want  # noqa: E731
        pos = [start]

        def pred(ls):
            while pos[0] < len(ls):
                if match(ls[pos[0]][1]):
                    return True
                pos[0] += 1
            return False

        return pos[0] if self.wait_for(pred, timeout) else None

    def time_of(self, index):
        return self.lines[index][0]

    def wait_count(self, n, timeout, match=None):
        """Wait for `n` lines (those for which match(line) is true, when given)."""
        if match is None:
            return self.wait_for(lambda ls: len(ls) >= n, timeout)
        return self.wait_for(lambda ls: sum(1 for _, ln in ls if match(ln)) >= n, timeout)

    def wait_eof(self, timeout):
        self.join(timeout)
        return self.eof


def reader_of(client, name=None):
    """Start a LineReader on a harness Client, taking over its buffered bytes."""
    r = LineReader(client.sock, name=name or client.name, initial=bytes(client.buf))
    client.buf.clear()
    r.start()
    return r


def msg_bytes(nick, text):
    return PT.msg(nick, text).encode()[:-1]


def check_sequence(got, want, who):
    """got == want (lists of bytes lines), with a message pointing at the first difference."""
    if got == want:
        return
    n = min(len(got), len(want))
    i = next((k for k in range(n) if got[k] != want[k]), n)
    fail("%s: %d lines received, %d expected; first difference at line %d: got %s, want %s"
         % (who, len(got), len(want), i,
            short(got[i]) if i < len(got) else "nothing",
            short(want[i]) if i < len(want) else "nothing"))


def sanitizer_of(d):
    """'asan'/'tsan' when the daemon runs with a sanitizer runtime (its memory use
    then says nothing about chatd's: ASan keeps freed memory in quarantine), else None."""
    try:
        with open("/proc/%d/maps" % d.pid) as f:
            maps = f.read()
    except OSError:
        maps = ""
    try:
        with open(d.ctx.chatd, "rb") as f:
            binary = f.read()
    except OSError:
        binary = b""
    if "libasan" in maps or b"__asan_init" in binary:
        return "asan"
    if "libtsan" in maps or b"__tsan_init" in binary:
        return "tsan"
    return None


def proc_threads(pid):
    try:
        return len(os.listdir("/proc/%d/task" % pid))
    except OSError:
        return 0


class CpuWatch:
    """CPU seconds the daemon used over an interval (utime+stime of all its threads)."""

    def __init__(self, d):
        self.d = d
        self.t0 = time.monotonic()
        self.c0 = d.cpu_seconds()

    def result(self):
        return self.d.cpu_seconds() - self.c0, time.monotonic() - self.t0
