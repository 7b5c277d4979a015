"""Helpers shared by the persistence tests (issue 10: identity and memory).

Reuses tests/integration/chatd_harness.py (imported from there, not copied)
and adds what these tests need on top: the Portuguese texts of the account,
topic and history replies, a read-only look at the daemon's SQLite file
(python's sqlite3, only once the daemon has stopped or died), logging in
with a password, and a one-thread traffic pump (several senders writing
numbered lines as fast as the daemon reads them, listeners recording what
they receive, with arrival times).  Python 3 standard library only.
"""

import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))

import datetime  # noqa: E402
import errno  # noqa: E402
import re  # noqa: E402
import selectors  # noqa: E402
import sqlite3  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import urllib.parse  # noqa: E402

import chatd_harness as H  # noqa: E402
from chatd_harness import close_all, in_room, sentinel  # noqa: E402,F401
from chatd_harness import (HOST, PROMPT_PT, PT, Checks, Client, Daemon, TestFailure,  # noqa: E402,F401
                           TestSkip, arg_parser, daemon, fail, log, run, short, welcome_pt)


class PTP:
    """Portuguese texts of the issue 10 replies (src/chat/line_dialect.cpp), each ending in a newline
    (the two prompts have none)."""

    password_prompt = staticmethod(lambda n: "Senha para %s: " % n)
    identified = staticmethod(lambda n: "✅ Identificado(a): bem-vindo(a) de volta, %s!\n" % n)
    account_created = staticmethod(
        lambda n: "✅ Conta criada: o apelido '%s' agora é seu, e você já está identificado(a).\n" % n)
    already_registered = staticmethod(
        lambda n: "⚠️ O apelido '%s' já tem conta. Use /identificar <senha> para entrar nela.\n" % n)
    wrong_password = "❌ Senha incorreta.\n"
    password_changed = "✅ Senha alterada.\n"
    storage_unavailable = "❌ Armazenamento indisponível: nada foi alterado. Tente mais tarde.\n"
    history_empty = staticmethod(lambda r: "📝 Nenhuma mensagem guardada na sala '%s'.\n" % r)
    topic = staticmethod(lambda r, t: "📌 Tópico de '%s': %s\n" % (r, t))
    topic_none = staticmethod(lambda r: "📌 A sala '%s' não tem tópico.\n" % r)
    topic_changed = staticmethod(lambda n, r, t: "📝 %s mudou o tópico de '%s' para: %s\n" % (n, r, t))


# "🕘 [HH:MM] [nick] text" — the same in both languages (line_dialect.cpp).
HISTORY_LINE = re.compile(r"🕘 \[(\d\d):(\d\d)\] \[([^\]]*)\] (.*)\n\Z", re.S)
# "[nick] text" — a live room message.
MESSAGE_LINE = re.compile(r"\[([^\]]*)\] (.*)\n\Z", re.S)


def hhmm(time_ms):
    """The time of day a history line shows for `time_ms` (UTC)."""
    t = datetime.datetime.fromtimestamp(time_ms / 1000.0, tz=datetime.timezone.utc)
    return "%02d:%02d" % (t.hour, t.minute)


def history_line(time_ms, nick, text):
    return "🕘 [%s] [%s] %s\n" % (hhmm(time_ms), nick, text)


def read_history(c, count, timeout=5.0, what="history"):
    """The next `count` lines of `c` must be history lines: [(hh:mm, nick, text)]."""
    out = []
    for i in range(count):
        line = c.read_line(timeout)
        m = HISTORY_LINE.match(line)
        if not m:
            fail("%s: %s line %d of %d: expected a history line, got %r" % (c.name, what, i + 1, count, line))
        out.append(("%s:%s" % (m.group(1), m.group(2)), m.group(3), m.group(4)))
    return out


def login_password(d, nick, password, wrong=(), name=None):
    """Connect as `nick`, which has an account: the password prompt, the
    `wrong` passwords (each refused, prompt again), then the right one."""
    c = d.client(name or nick)
    try:
        c.expect_prompt()
        c.send_line(nick)
        c.expect(PTP.password_prompt(nick), what="password prompt")
        for w in wrong:
            c.send_line(w)
            c.expect(PTP.wrong_password, what="reply to a wrong password")
            c.expect(PTP.password_prompt(nick), what="password prompt again")
        c.send_line(password)
        c.expect(PTP.identified(nick), what="logged in")
        c.expect_welcome(nick)
    except BaseException:
        c.close()
        raise
    return c


# --- the database ---------------------------------------------------------

def db_path(data_dir):
    return os.path.join(data_dir, "chatd.db")


def open_db_ro(path):
    """A read-only connection (the daemon must not be running on it)."""
    if not os.path.exists(path):
        fail("no database at %s" % path)
    uri = "file:%s?mode=ro" % urllib.parse.quote(os.path.abspath(path))
    return sqlite3.connect(uri, uri=True, timeout=5)


class Db:
    """What the daemon stored, read after it stopped (or died)."""

    def __init__(self, data_dir):
        self.path = db_path(data_dir)
        self.conn = open_db_ro(self.path)
        r = self.conn.execute("PRAGMA quick_check").fetchall()
        if r != [("ok",)]:
            fail("%s: PRAGMA quick_check says %r" % (self.path, r))

    def close(self):
        self.conn.close()

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.close()

    def rooms(self):
        """[(name, topic, last_seq)] in creation order (position: shards announce rooms to the store in any order)."""
        return self.conn.execute("SELECT name, topic, last_seq FROM rooms ORDER BY position, id").fetchall()

    def room(self, name):
        r = self.conn.execute("SELECT id, topic, last_seq FROM rooms WHERE name = ?", (name,)).fetchone()
        if r is None:
            fail("room %r is not in the database" % name)
        return r

    def messages(self, room):
        """[(seq, time_ms, nick, text)] of `room` in seq order."""
        rid = self.room(room)[0]
        return self.conn.execute("SELECT seq, time_ms, nick, text FROM messages WHERE room_id = ? ORDER BY seq",
                                 (rid,)).fetchall()

    def account(self, folded):
        return self.conn.execute("SELECT nick, password_hash FROM accounts WHERE folded = ?",
                                 (folded,)).fetchone()

    def accounts(self):
        return self.conn.execute("SELECT folded, nick, password_hash FROM accounts ORDER BY folded").fetchall()


def check_no_holes(room, msgs):
    """The stored seqs of `room` are exactly 1..N; returns N."""
    seqs = [m[0] for m in msgs]
    if seqs != list(range(1, len(seqs) + 1)):
        holes = sorted(set(range(1, (max(seqs) if seqs else 0) + 1)) - set(seqs))
        fail("room %r: stored seqs are not 1..%d: first ones %r, last ones %r, missing %r"
             % (room, len(seqs), seqs[:5], seqs[-5:], holes[:20]))
    return len(seqs)


def check_prefix(room, stored, received, allow_extra=0):
    """`stored` (texts in seq order) must be a prefix of `received` (texts in
    the order a member of the room got them live).  Up to `allow_extra`
    stored texts beyond what the member received are tolerated: they were
    committed but still in the daemon's output when it died.  Returns the
    number of extra ones."""
    n = min(len(stored), len(received))
    for i in range(n):
        if stored[i] != received[i]:
            fail("room %r: stored message %d (seq %d) is %r, but the room's order had %r there "
                 "(stored around it: %r; received around it: %r)"
                 % (room, i, i + 1, stored[i], received[i], stored[max(0, i - 2):i + 3],
                    received[max(0, i - 2):i + 3]))
    extra = len(stored) - n
    if extra > allow_extra:
        fail("room %r: %d messages stored beyond the %d a member received (at most %d expected): %r"
             % (room, extra, len(received), allow_extra, stored[n:n + 5]))
    return extra


# --- temporary places -----------------------------------------------------

def temp_dir(prefix):
    """A directory under the harness's temporary directory (removed at exit)."""
    return tempfile.mkdtemp(prefix=prefix, dir=H.tmpdir())


# --- traffic ----------------------------------------------------------------

class Pump:
    """Drives many logged-in connections from one thread (no GIL contention):
    senders write numbered lines "<prefix>.<n>" as fast as the daemon takes
    them (non-blocking sends: TCP pushes back) and read and drop what they
    get; listeners record every line they receive with its arrival time
    (time.monotonic() of the recv that completed it)."""

    def __init__(self):
        self.sel = selectors.DefaultSelector()
        self.senders = []
        self.listeners = []
        self.sending = True
        self.reset_seen = []

    class _Conn:
        def __init__(self, client):
            self.client = client
            self.sock = client.sock
            self.name = client.name
            self.eof = False

    def add_sender(self, client, prefix, chunk=256, rate=None):
        """`rate`: lines per second (None: as fast as the daemon reads)."""
        s = self._Conn(client)
        s.prefix = prefix
        s.next = 1
        s.out = b""
        s.chunk = chunk if rate is None else 1
        s.rate = rate
        s.t0 = None
        s.writing = True
        s.sent = 0  # lines fully handed to the kernel
        s.sock.setblocking(False)
        self.senders.append(s)
        self.sel.register(s.sock, selectors.EVENT_READ | selectors.EVENT_WRITE, s)
        return s

    def add_listener(self, client):
        lst = self._Conn(client)
        # what arrived, as (arrival time, bytes): split into lines only when
        # asked (lines()), so that reading keeps up with the daemon
        lst.chunks = [(time.monotonic(), bytes(client.buf))]
        client.buf.clear()
        lst.sock.setblocking(False)
        self.listeners.append(lst)
        self.sel.register(lst.sock, selectors.EVENT_READ, lst)
        return lst

    @staticmethod
    def lines(lst):
        """[(arrival time of its last byte, line)] of what `lst` received."""
        out = []
        partial = b""
        for t, data in lst.chunks:
            buf = partial + data if partial else data
            parts = buf.split(b"\n")
            partial = parts.pop()
            out.extend((t, p.decode("utf-8", "replace") + "\n") for p in parts)
        return out

    def _read(self, c, now):
        try:
            data = c.sock.recv(1 << 18)
        except (BlockingIOError, InterruptedError):
            return
        except ConnectionResetError:
            self.reset_seen.append(c.name)
            data = b""
        if not data:
            c.eof = True
            try:
                self.sel.unregister(c.sock)
            except (KeyError, ValueError):
                pass
            return
        if hasattr(c, "chunks"):
            c.chunks.append((now, data))

    def _write(self, s):
        if not s.out:
            lines = ["%s.%06d\n" % (s.prefix, s.next + i) for i in range(s.chunk)]
            s.out_first = s.next
            s.next += s.chunk
            s.out = "".join(lines).encode()
            s.out_len = len(s.out)
        try:
            n = s.sock.send(s.out)
        except (BlockingIOError, InterruptedError):
            return
        except OSError as e:
            if e.errno in (errno.EPIPE, errno.ECONNRESET):
                s.eof = True
                try:
                    self.sel.unregister(s.sock)
                except (KeyError, ValueError):
                    pass
                return
            raise
        s.out = s.out[n:]
        if not s.out:
            s.sent = s.next - 1

    def stop_sending(self):
        self.sending = False
        for s in self.senders:
            s.writing = False
            if not s.eof:
                try:
                    self.sel.modify(s.sock, selectors.EVENT_READ, s)
                except (KeyError, ValueError):
                    pass

    def _pace(self, now):
        """Paced senders want to write only when they are due."""
        paced = False
        for s in self.senders:
            if s.rate is None or s.eof or not self.sending:
                continue
            paced = True
            if s.t0 is None:
                s.t0 = now
            want = bool(s.out) or (s.next - 1) < s.rate * (now - s.t0)
            if want != s.writing:
                s.writing = want
                self.sel.modify(s.sock, selectors.EVENT_READ | (selectors.EVENT_WRITE if want else 0), s)
        return paced

    def run_for(self, seconds, until=None):
        """Pump for `seconds` (or until `until()` is true)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if until is not None and until():
                return True
            if not self.sel.get_map():
                return False
            paced = self._pace(time.monotonic())
            for key, mask in self.sel.select(0.002 if paced else 0.05):
                c = key.data
                now = time.monotonic()
                if mask & selectors.EVENT_READ:
                    self._read(c, now)
                if mask & selectors.EVENT_WRITE and self.sending and not c.eof:
                    self._write(c)
        return until() if until is not None else False

    def drain_listeners(self, timeout):
        """Read the listeners until each has reached EOF (or `timeout`)."""
        self.stop_sending()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not all(lst.eof for lst in self.listeners):
            self.run_for(min(0.2, max(0.0, deadline - time.monotonic())))
        return all(lst.eof for lst in self.listeners)

    def close(self):
        for c in self.senders + self.listeners:
            try:
                self.sel.unregister(c.sock)
            except (KeyError, ValueError):
                pass
            try:
                c.client.close()
            except Exception:
                pass


def messages_of(lines):
    """[(time, nick, text)] of the room messages among recorded lines."""
    out = []
    for t, line in lines:
        m = MESSAGE_LINE.match(line)
        if m:
            out.append((t, m.group(1), m.group(2)))
    return out
