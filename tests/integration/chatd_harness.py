"""Shared helpers for chatd's integration tests.

Standard library only (Debian's python3). Every test script:

    from chatd_harness import ...
    def main(ctx): ...
    if __name__ == "__main__":
        run(main)

`run` parses `--chatd PATH --backend B --threads N`, turns TestSkip into exit
77, TestFailure (or any exception) into exit 1, and always kills whatever the
test started (daemons and client processes, by PID: SIGTERM, then SIGKILL
after a timeout).  Children also get PR_SET_PDEATHSIG so that they die with
the test even if the test itself is SIGKILLed.
"""

import sys

sys.dont_write_bytecode = True  # never litter the source tree with __pycache__

import argparse
import shlex
import atexit
import contextlib
import ctypes
import errno
import os
import re
import resource
import select
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import traceback

EXIT_PASS = 0
EXIT_FAIL = 1
EXIT_SKIP = 77

HOST = "127.0.0.1"

# --- Portuguese texts of PROTOCOL.md (byte for byte) ------------------------

PROMPT_PT = "Digite seu apelido: "


def welcome_pt(nick):
    return (
        "\n__Conectado ao servidor__\n"
        "\nBem-vindo(a) ao chat, %s! Use os comandos:\n"
        "/salas - listar salas disponíveis\n"
        "/criar <sala> - criar uma nova sala\n"
        "/entrar <sala> - entrar em uma sala existente\n"
        "/sair - sair da sala atual\n"
        "/sair_chat - desconectar\n" % nick
    )


# PROTOCOL.md: "(a help line for any further command may be appended)"
WELCOME_EXTRA_LINE = re.compile(rb"/(ajuda|help)\b[^\n]*\n")


class PT:
    """Reply texts, each ending in a newline (PROTOCOL.md table + lead's choices)."""

    @staticmethod
    def rooms(names):
        if not names:
            return "Salas disponíveis: Nenhuma sala disponível.\n"
        return "Salas disponíveis: %s\n" % ", ".join(names)

    created = staticmethod(lambda r: "✅ Sala '%s' criada com sucesso!\n" % r)
    exists = "⚠️ Essa sala já existe! Tente outro nome.\n"
    no_room = ("❌ Sala não encontrada. Use /salas para ver as disponíveis ou "
               "/criar para criar uma nova.\n")
    joined = staticmethod(lambda r: "✅ Você entrou na sala '%s'.\n" % r)
    joined_other = staticmethod(lambda n, r: "📝 %s entrou na sala '%s'.\n" % (n, r))
    left_other = staticmethod(lambda n, r: "📝 %s saiu da sala '%s'.\n" % (n, r))
    left_self = "🔹 Você saiu da sala.\n"
    not_in_room = "⚠️ Você não está em nenhuma sala.\n"
    quit_other = staticmethod(lambda n, r: "👋 %s saiu do chat da sala '%s'.\n" % (n, r))
    quit_self = "👋 Você saiu do chat.\n"
    msg = staticmethod(lambda n, t: "[%s] %s\n" % (n, t))
    msg_outside = "⚠️ Você não está em nenhuma sala. Use /entrar <sala> para participar.\n"
    # chosen by the lead (src/chat/replies.cpp)
    unknown = staticmethod(
        lambda w: "❌ Comando desconhecido: %s. Use /ajuda para ver os comandos.\n" % w)
    already_in = staticmethod(lambda r: "⚠️ Você já está na sala '%s'.\n" % r)
    usage_create = "⚠️ Uso: /criar <sala>\n"
    usage_join = "⚠️ Uso: /entrar <sala>\n"


# --- errors -----------------------------------------------------------------


class TestFailure(Exception):
    pass


class TestSkip(Exception):
    pass


def fail(msg):
    raise TestFailure(msg)


def log(msg):
    print("[%8.3f] %s" % (time.monotonic() - _T0, msg), flush=True)


_T0 = time.monotonic()


def short(b, limit=600):
    """repr of bytes, decoded when possible, cut to a readable length."""
    if isinstance(b, (bytes, bytearray)):
        try:
            s = bytes(b).decode("utf-8")
        except UnicodeDecodeError:
            s = bytes(b)
    else:
        s = b
    r = repr(s)
    if len(r) > limit:
        r = r[:limit] + "...(%d chars)" % len(r)
    return r


# --- process bookkeeping ----------------------------------------------------

_children = []  # Popen objects we started, killed by PID at exit
_children_lock = threading.Lock()
_tmpdir = None


def tmpdir():
    global _tmpdir
    if _tmpdir is None:
        _tmpdir = tempfile.mkdtemp(prefix="chatd-it-")
    return _tmpdir


def _pdeathsig():
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except Exception:
        pass


def spawn(argv, **kw):
    kw.setdefault("preexec_fn", _pdeathsig)
    p = subprocess.Popen(argv, **kw)
    with _children_lock:
        _children.append(p)
    return p


def terminate(p, timeout=5.0):
    """SIGTERM p (by PID), SIGKILL after timeout. Returns its exit status."""
    if p.poll() is None:
        try:
            os.kill(p.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            p.wait(timeout)
        except subprocess.TimeoutExpired:
            try:
                os.kill(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            p.wait(5)
    return p.returncode


def _cleanup():
    with _children_lock:
        procs = list(_children)
    for p in procs:
        try:
            terminate(p, 3.0)
        except Exception:
            pass
    if _tmpdir and not os.environ.get("CHATD_IT_KEEP"):
        shutil.rmtree(_tmpdir, ignore_errors=True)


atexit.register(_cleanup)


def _on_signal(signum, frame):
    raise SystemExit("killed by signal %d" % signum)


def raise_fd_limit(want=20000):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = want if hard == resource.RLIM_INFINITY else min(want, hard)
    if soft == resource.RLIM_INFINITY or soft >= target:
        return soft
    resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return target


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind((HOST, 0))
        return s.getsockname()[1]
    finally:
        s.close()


def require_tool(name):
    path = shutil.which(name)
    if not path:
        raise TestSkip("%s is not installed" % name)
    return path


# --- the daemon -------------------------------------------------------------

_URING_UNAVAILABLE = re.compile(r"uring", re.I)
_ADDR_IN_USE = re.compile(r"(address already in use|EADDRINUSE|in use|bind)", re.I)


class Daemon:
    """One chatd process on 127.0.0.1:<free port>."""

    def __init__(self, ctx, lang="pt", log_level="info", extra=(), web=False, tls=None, web_tls=False):
        self.ctx = ctx
        self.web = web          # also serve --web on a second free port (self.web_port)
        self.web_port = None
        # tls=(cert, key): also serve --tls-listen (self.tls_port) and, with
        # web_tls, --web-tls (self.web_tls_port), each on a free port.
        self.tls = tls
        self.web_tls = web_tls
        self.tls_port = self.web_tls_port = None
        self.lang = lang
        self.log_level = log_level
        self.extra = list(extra)
        self.proc = None
        self.port = None
        self.logpath = None
        self.stopped = False

    @property
    def pid(self):
        return self.proc.pid

    def argv(self, port):
        # CHATD_WRAPPER runs the daemon under a helper (e.g. a seccomp filter);
        # CHATD_EXTRA_ARGS adds options (e.g. a tiny io_uring buffer ring).
        wrapper = shlex.split(os.environ.get("CHATD_WRAPPER", ""))
        extra_env = shlex.split(os.environ.get("CHATD_EXTRA_ARGS", ""))
        web = ["--web", "%s:%d" % (HOST, self.web_port)] if self.web_port else []
        if self.tls:
            web += ["--tls-listen", "%s:%d" % (HOST, self.tls_port), "--tls-cert", self.tls[0], "--tls-key", self.tls[1]]
            if self.web_tls_port:
                web += ["--web-tls", "%s:%d" % (HOST, self.web_tls_port)]
        return wrapper + [self.ctx.chatd, "--listen", "%s:%d" % (HOST, port),
                "--threads", str(self.ctx.threads), "--backend", self.ctx.backend,
                "--lang", self.lang, "--log-level", self.log_level] + web + self.extra + extra_env

    def start(self, attempts=5, ready_timeout=10.0):
        if not os.path.exists(self.ctx.chatd):
            fail("chatd binary not found at %s" % self.ctx.chatd)
        for attempt in range(attempts):
            port = free_port()
            if self.web:
                self.web_port = free_port()
            if self.tls:
                self.tls_port = free_port()
                self.web_tls_port = free_port() if self.web_tls else None
            self.logpath = os.path.join(tmpdir(), "chatd-%d-%d.log" % (port, attempt))
            argv = self.argv(port)
            log("starting: %s" % " ".join(argv))
            with open(self.logpath, "wb") as logf:
                self.proc = spawn(argv, stdin=subprocess.DEVNULL, stdout=logf, stderr=logf)
            deadline = time.monotonic() + ready_timeout
            retry = False
            while True:
                rc = self.proc.poll()
                if rc is not None:
                    text = self.log_text()
                    if rc != 0 and self.ctx.backend == "uring" and _URING_UNAVAILABLE.search(text):
                        raise TestSkip("io_uring backend unavailable (chatd exited %d): %s"
                                       % (rc, text.strip()[-400:]))
                    if rc != 0 and _ADDR_IN_USE.search(text) and attempt + 1 < attempts:
                        log("chatd could not bind port %d, retrying: %s" % (port, text.strip()[-200:]))
                        retry = True
                        break
                    fail("chatd exited with status %s at start-up; its log:\n%s" % (rc, text[-3000:]))
                try:
                    for p in [port] + [q for q in (self.web_port, self.tls_port, self.web_tls_port) if q]:
                        s = socket.create_connection((HOST, p), timeout=0.5)
                        s.close()
                    self.port = port
                    log("chatd pid %d listening on %s:%d" % (self.proc.pid, HOST, port))
                    return self
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    fail("chatd did not accept connections on port %d within %.0f s; log:\n%s"
                         % (port, ready_timeout, self.log_text()[-3000:]))
                time.sleep(0.05)
            if retry:
                continue
        fail("chatd could not start after %d attempts" % attempts)

    def log_text(self):
        try:
            with open(self.logpath, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def log_tail(self, n=40):
        lines = self.log_text().splitlines()
        return "\n".join(lines[-n:])

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def assert_alive(self, what=""):
        if not self.alive():
            fail("chatd died%s (exit status %s); log tail:\n%s"
                 % ((" " + what) if what else "", self.proc.returncode, self.log_tail()))

    def memory_kib(self):
        """(VmRSS, VmHWM) in KiB from /proc/PID/status."""
        rss = hwm = None
        with open("/proc/%d/status" % self.proc.pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1])
                elif line.startswith("VmHWM:"):
                    hwm = int(line.split()[1])
        return rss, hwm

    def cpu_seconds(self):
        """utime + stime of the daemon (all threads), in seconds, from /proc/PID/stat."""
        with open("/proc/%d/stat" % self.proc.pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self, timeout=10.0):
        """SIGTERM; the daemon must exit with status 0 within `timeout`."""
        if self.proc is None or self.stopped:
            return
        self.stopped = True
        rc = self.proc.poll()
        if rc is not None:
            fail("chatd died before SIGTERM (exit status %s); log tail:\n%s" % (rc, self.log_tail()))
        os.kill(self.proc.pid, signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(5)
            fail("chatd did not exit within %.0f s of SIGTERM (killed); log tail:\n%s"
                 % (timeout, self.log_tail()))
        if rc != 0:
            fail("chatd exited with status %s on SIGTERM (want 0); log tail:\n%s" % (rc, self.log_tail()))
        log("chatd pid %d stopped by SIGTERM, exit status 0" % self.proc.pid)

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            terminate(self.proc, 3.0)

    def client(self, name=None, **kw):
        return Client(self.port, name=name, **kw)


@contextlib.contextmanager
def daemon(ctx, **kw):
    """Start a daemon; on normal exit stop it (checking exit 0), on error kill it."""
    d = Daemon(ctx, **kw)
    ok = False
    try:
        d.start()
        yield d
        ok = True
    finally:
        if ok:
            d.stop()
        else:
            if d.proc is not None and d.alive():
                print("--- chatd log tail ---\n%s\n---" % d.log_tail(), flush=True)
            d.kill()


# --- clients ----------------------------------------------------------------


class Stream:
    """Byte stream with a receive buffer and exact-match expectations.

    Subclasses implement _read_some(timeout) -> bytes (b"" = EOF) or None
    (nothing within timeout) and send_raw(bytes).
    """

    default_timeout = 5.0

    def __init__(self, name):
        self.name = name or "client"
        self.buf = bytearray()
        self.transcript = bytearray()  # everything ever received
        self.eof = False
        self.reset_seen = False
        self._skip_welcome_extra = False

    # -- reading
    def _fill(self, deadline):
        """Read once (waiting until deadline). False if nothing came (timeout or EOF)."""
        if self.eof:
            return False
        t = max(0.0, deadline - time.monotonic())
        data = self._read_some(t)
        if data is None:
            return False
        if data == b"":
            self.eof = True
            return False
        self.buf += data
        self.transcript += data
        return True

    def _wait_for(self, pred, timeout):
        deadline = time.monotonic() + timeout
        while not pred():
            if self.eof or time.monotonic() >= deadline:
                return pred()
            self._fill(deadline)
        return True

    def _skip_optional(self, deadline):
        """After the welcome: skip extra help lines that PROTOCOL.md allows."""
        while self._skip_welcome_extra:
            if not self.buf:
                if self.eof or time.monotonic() >= deadline:
                    return
                self._fill(deadline)
                continue
            if self.buf[:1] != b"/":
                self._skip_welcome_extra = False
                return
            nl = self.buf.find(b"\n")
            if nl < 0:
                if self.eof or time.monotonic() >= deadline:
                    return
                self._fill(deadline)
                continue
            if WELCOME_EXTRA_LINE.fullmatch(bytes(self.buf[:nl + 1])):
                del self.buf[:nl + 1]
            else:
                self._skip_welcome_extra = False

    def expect(self, text, timeout=None, what=None):
        """The next bytes received must be exactly `text` (str or bytes)."""
        timeout = self.default_timeout if timeout is None else timeout
        exp = text.encode("utf-8") if isinstance(text, str) else bytes(text)
        deadline = time.monotonic() + timeout
        self._skip_optional(deadline)
        self._wait_for(lambda: len(self.buf) >= len(exp) or
                       not exp.startswith(bytes(self.buf[:len(exp)])),
                       max(0.0, deadline - time.monotonic()))
        got = bytes(self.buf[:len(exp)])
        if got != exp:
            # let a little more arrive for a useful message
            self._wait_for(lambda: len(self.buf) >= len(exp) + 200, 0.3)
            state = " (connection closed)" if self.eof else ""
            fail("%s: %sexpected %s\n    but got %s%s"
                 % (self.name, (what + ": ") if what else "", short(exp),
                    short(bytes(self.buf[:len(exp) + 200])) if self.buf else "nothing", state))
        del self.buf[:len(exp)]

    def expect_prompt(self, timeout=None):
        self.expect(PROMPT_PT, timeout, what="nickname prompt")

    def expect_welcome(self, nick, timeout=None):
        self.expect(welcome_pt(nick), timeout, what="welcome")
        self._skip_welcome_extra = True

    def read_until(self, delim=b"\n", timeout=None):
        timeout = self.default_timeout if timeout is None else timeout
        delim = delim.encode() if isinstance(delim, str) else delim
        deadline = time.monotonic() + timeout
        self._skip_optional(deadline)
        if not self._wait_for(lambda: self.buf.find(delim) >= 0, max(0.0, deadline - time.monotonic())):
            fail("%s: waited %.1f s for %s, got %s%s" % (
                self.name, timeout, short(delim), short(bytes(self.buf)) if self.buf else "nothing",
                " (connection closed)" if self.eof else ""))
        i = self.buf.find(delim) + len(delim)
        out = bytes(self.buf[:i])
        del self.buf[:i]
        return out

    def read_line(self, timeout=None):
        return self.read_until(b"\n", timeout).decode("utf-8", "replace")

    def expect_line_prefix(self, prefix, timeout=None, what=None):
        line = self.read_line(timeout)
        if not line.startswith(prefix) or not line.endswith("\n"):
            fail("%s: %sexpected a line starting with %r, got %r"
                 % (self.name, (what + ": ") if what else "", prefix, line))
        return line

    def expect_eof(self, timeout=None):
        """The server must close the connection, with nothing more sent before."""
        timeout = self.default_timeout if timeout is None else timeout
        deadline = time.monotonic() + timeout
        self._skip_optional(deadline)
        self._wait_for(lambda: self.eof or len(self.buf) > 0, timeout)
        if self.buf:
            self._wait_for(lambda: False, 0.2)
            fail("%s: expected the connection to close, but got %s" % (self.name, short(bytes(self.buf))))
        if not self.eof:
            fail("%s: connection still open %.1f s after it should have been closed" % (self.name, timeout))

    def expect_nothing(self, duration=0.4):
        """Nothing at all may arrive for `duration` seconds."""
        deadline = time.monotonic() + duration
        self._skip_optional(deadline)
        self._wait_for(lambda: len(self.buf) > 0, duration)
        if self.buf:
            fail("%s: expected nothing, but got %s" % (self.name, short(bytes(self.buf))))

    # -- writing
    def send_line(self, text, eol="\n"):
        self.send_raw((text + eol).encode("utf-8"))

    def login(self, nick, timeout=None):
        self.expect_prompt(timeout)
        self.send_line(nick)
        self.expect_welcome(nick, timeout)
        return self


class Client(Stream):
    """A raw TCP client (blocking socket, reads gated by select)."""

    def __init__(self, port, name=None, connect_timeout=5.0):
        super().__init__(name)
        self.sock = socket.create_connection((HOST, port), timeout=connect_timeout)
        self.sock.settimeout(10.0)  # bounds sendall()
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.local_port = self.sock.getsockname()[1]
        self.closed = False

    def fileno(self):
        return self.sock.fileno()

    def _read_some(self, timeout):
        if self.closed:
            return b""
        r, _, _ = select.select([self.sock], [], [], timeout)
        if not r:
            return None
        try:
            return self.sock.recv(65536)
        except ConnectionResetError:
            self.reset_seen = True
            return b""

    def send_raw(self, data):
        self.sock.sendall(data)

    def close(self):
        """Orderly close (FIN), as the original client did."""
        if not self.closed:
            self.closed = True
            self.sock.close()

    def abort(self):
        """Abortive close: SO_LINGER 0 makes close() send a RST."""
        if not self.closed:
            self.closed = True
            import struct
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.close()


class ProcClient(Stream):
    """A real client program (nc, telnet, socat) driven through pipes."""

    def __init__(self, argv, name=None):
        super().__init__(name)
        self.argv = argv
        self.errpath = os.path.join(tmpdir(), "%s-%d.err" % (re.sub(r"\W", "_", self.name), id(self)))
        with open(self.errpath, "wb") as err:
            self.proc = spawn(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err, bufsize=0)
        self.fd = self.proc.stdout.fileno()

    def _read_some(self, timeout):
        r, _, _ = select.select([self.fd], [], [], timeout)
        if not r:
            return None
        return os.read(self.fd, 65536)

    def send_raw(self, data):
        try:
            self.proc.stdin.write(data)
            self.proc.stdin.flush()
        except BrokenPipeError:
            fail("%s: %s exited early (status %s); stderr: %s"
                 % (self.name, self.argv[0], self.proc.poll(), self.stderr_text()))

    def close_stdin(self):
        try:
            self.proc.stdin.close()
        except OSError:
            pass

    def wait_exit(self, timeout=5.0):
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            fail("%s: %s still running %.1f s after the server should have closed the connection"
                 % (self.name, self.argv[0], timeout))

    def stderr_text(self):
        try:
            with open(self.errpath, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def close(self):
        self.close_stdin()
        terminate(self.proc, 3.0)


# --- test entry point -------------------------------------------------------


class Context:
    def __init__(self, args):
        self.chatd = os.path.abspath(args.chatd)
        self.backend = args.backend
        self.threads = args.threads
        self.args = args


class Checks:
    """Runs named sub-checks, keeps going after a failure, reports at the end."""

    def __init__(self):
        self.failed = []
        self.passed = []

    @contextlib.contextmanager
    def check(self, name):
        log("--- %s" % name)
        try:
            yield
        except TestFailure as e:
            self.failed.append((name, str(e)))
            log("FAIL %s: %s" % (name, e))
        except TestSkip:
            raise
        except Exception as e:  # a bug in the test or an unexpected socket error
            self.failed.append((name, "%s: %s" % (type(e).__name__, e)))
            log("FAIL %s: %s\n%s" % (name, e, traceback.format_exc()))
        else:
            self.passed.append(name)
            log("ok   %s" % name)

    def finish(self):
        print("\n%d passed, %d failed" % (len(self.passed), len(self.failed)), flush=True)
        for name, msg in self.failed:
            print("FAILED %s:\n  %s" % (name, msg.replace("\n", "\n  ")), flush=True)
        if self.failed:
            raise TestFailure("%d sub-check(s) failed" % len(self.failed))



# --- rooms of clients, shared by the integration and hostile tests ----------

def close_all(cs):
    for c in cs:
        try:
            c.close()
        except Exception:
            pass


def in_room(d, room, *nicks, create=True):
    """Log in `nicks`; the first creates `room` (unless create=False); all join it."""
    cs = []
    try:
        for n in nicks:
            cs.append(Client(d.port, name=n).login(n))
        if create:
            cs[0].send_line("/criar " + room)
            cs[0].expect(PT.created(room))
        for i, c in enumerate(cs):
            c.send_line("/entrar " + room)
            c.expect(PT.joined(room))
            for prev in cs[:i]:
                prev.expect(PT.joined_other(c.name, room))
    except BaseException:
        close_all(cs)
        raise
    return cs


def sentinel(sender, receivers, text="sentinela", timeout=None):
    """`sender` says `text`; each receiver's next line must be exactly it."""
    sender.send_line(text)
    for r in receivers:
        r.expect(PT.msg(sender.name, text), timeout=timeout,
                 what="next line (nothing else may come before it)")


def arg_parser(description=""):
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--chatd", required=True, help="path to the chatd binary")
    p.add_argument("--backend", default="epoll", choices=["epoll", "uring", "auto"])
    p.add_argument("--threads", type=int, default=1)
    return p


def run(main, parser=None):
    parser = parser or arg_parser()
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, _on_signal)
    raise_fd_limit()
    ctx = Context(args)
    code = EXIT_FAIL
    try:
        main(ctx)
        code = EXIT_PASS
    except TestSkip as e:
        print("SKIP: %s" % e, flush=True)
        code = EXIT_SKIP
    except TestFailure as e:
        print("FAIL: %s" % e, flush=True)
        code = EXIT_FAIL
    except SystemExit as e:
        print("FAIL: %s" % e, flush=True)
        code = EXIT_FAIL
    except BaseException:
        traceback.print_exc()
        code = EXIT_FAIL
    finally:
        _cleanup()
    if code == EXIT_PASS:
        print("PASS", flush=True)
    sys.stdout.flush()
    os._exit(code)
