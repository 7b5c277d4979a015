#!/usr/bin/env python3
"""chatd's TLS listeners (issue 14): --tls-listen, --web-tls, SIGHUP reload,
--tls-handshake-timeout, --require-tls-for-login, start-up errors.

Real clients only: `openssl s_client`, `socat OPENSSL:`, `nc`, Python's
`ssl`, python3-websockets over WSS.  The certificates are made at test time
with the `openssl` CLI in a temporary directory:

  A  EC P-256, self-signed, CN=localhost, SAN DNS:localhost,IP:127.0.0.1
  B  RSA 2048, the same names (the certificate a SIGHUP switches to)
  E  an expired one (`openssl ca` with a past -startdate/-enddate)
  plus garbage, and key/certificate pairs that do not match.

Checks:
  1. the report's session over TLS with s_client -quiet and socat, and a
     plaintext nc user in the same room: one order of messages for all;
  2. TLS 1.3 and 1.2 work (verified against A, by name and by IP), TLS 1.1
     is refused; --web-tls selects ALPN http/1.1, answers /healthz over
     HTTPS, and a WSS client chats with a plaintext line user;
  3. plaintext and HTTP to the TLS port, a truncated ClientHello, stalled
     handshakes (dropped after --tls-handshake-timeout while others chat),
     1,000 hanging handshakes (a new client still gets in at once; all are
     dropped, counted in /metrics), a TLS 1.2 renegotiation (refused);
  4. SIGHUP: a new certificate is served to new handshakes while an old
     session goes on; a mismatched key, an expired certificate and a missing
     file are refused with a log line and the previous one kept;
  5. a bad certificate or key at start: exit 2, one stderr line naming it;
  6. --require-tls-for-login: passwords refused over plaintext (line and
     web), accepted over TLS.
Skips (77) only when the openssl CLI is missing.
"""

import asyncio
import os
import re
import select
import shutil
import signal
import socket
import ssl
import subprocess
import time
import urllib.request
import warnings

from ws_client import recv_json, websockets, ws_login  # first: may re-run the test under /usr/bin/python3
from chatd_harness import (HOST, PT, Checks, Client, Daemon, ProcClient, Stream, daemon, fail,
                           free_port, log, require_tool, run, short, spawn, terminate, tmpdir)
from identity_harness import PT_

TIMEOUT = 5.0
HANDSHAKE_TIMEOUT = 2  # --tls-handshake-timeout of the main daemon (s)
# Timers may fire a coarse-clock tick early, never more: the time of each
# drop is measured from before connect(), so lateness of ours only adds.
EARLY_SLACK = 0.1
HASH_TIMEOUT = 15      # one Argon2id hash on a busy machine
FLOOD = 1000           # hanging handshakes, well under the 20,000 fd cap
TLS_REQUIRED_PT = ("❌ Senhas só por conexão segura (TLS): conecte-se à porta TLS do servidor "
                   "para usar uma conta.\n")
LOG_LINE = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? +(trace|debug|info|warn|warning|error|critical) ")
RELOADED = re.compile(r"tls: (now |certificate reloaded)")
REFUSED = re.compile(r"tls: new certificate refused")


# --- certificates -------------------------------------------------------------

def openssl(*args, cwd=None):
    p = subprocess.run(["openssl"] + list(args), cwd=cwd, stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if p.returncode != 0:
        fail("openssl %s failed (%d): %s" % (" ".join(args), p.returncode, p.stderr.decode(errors="replace")))
    return p.stdout


SAN = "subjectAltName=DNS:localhost,IP:127.0.0.1"


class Certs:
    """Every file the checks need, in one temporary directory."""

    def __init__(self):
        d = self.dir = os.path.join(tmpdir(), "certs")
        os.makedirs(d)
        p = lambda name: os.path.join(d, name)  # noqa: E731
        self.a_cert, self.a_key = p("a.crt"), p("a.key")
        self.b_cert, self.b_key = p("b.crt"), p("b.key")
        self.e_cert, self.e_key = p("e.crt"), p("e.key")
        self.garbage = p("garbage.pem")
        self.missing = p("does-not-exist.pem")
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", self.a_key, "-out", self.a_cert, "-days", "30", "-subj", "/CN=localhost",
                "-addext", SAN)
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", self.b_key, "-out", self.b_cert,
                "-days", "30", "-subj", "/CN=localhost", "-addext", SAN)
        # Expired: `openssl ca -selfsign` takes explicit dates (req -x509 cannot, in 3.0).
        openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", self.e_key)
        ca = p("ca")
        os.makedirs(ca)
        open(os.path.join(ca, "index.txt"), "w").close()
        with open(os.path.join(ca, "serial"), "w") as f:
            f.write("01\n")
        with open(p("ca.cnf"), "w") as f:
            f.write("[ca]\ndefault_ca = exp\n[exp]\ndir = %s\ndatabase = $dir/index.txt\n"
                    "new_certs_dir = $dir\nserial = $dir/serial\ndefault_md = sha256\npolicy = any\n"
                    "copy_extensions = copy\nunique_subject = no\n[any]\ncommonName = supplied\n" % ca)
        openssl("req", "-new", "-key", self.e_key, "-subj", "/CN=localhost", "-addext", SAN, "-out", p("e.csr"))
        openssl("ca", "-batch", "-config", p("ca.cnf"), "-selfsign", "-keyfile", self.e_key, "-in", p("e.csr"),
                "-startdate", "20200101000000Z", "-enddate", "20200201000000Z", "-notext", "-out", self.e_cert)
        dates = openssl("x509", "-in", self.e_cert, "-noout", "-enddate").decode()
        if "2020" not in dates:
            fail("could not make an expired certificate: %s" % dates)
        with open(self.garbage, "w") as f:
            f.write("-----BEGIN CERTIFICATE-----\nthis is not base64 at all!\n-----END CERTIFICATE-----\n")
        # The files the main daemon serves; SIGHUP rereads them.
        self.live_cert, self.live_key = p("live.crt"), p("live.key")
        self.install(self.a_cert, self.a_key)

    def install(self, cert, key):
        """Atomically puts copies of cert/key (None: remove) at the live paths."""
        for src, dst in ((cert, self.live_cert), (key, self.live_key)):
            if src is None:
                if os.path.exists(dst):
                    os.unlink(dst)
                continue
            with open(src, "rb") as f:
                data = f.read()
            with open(dst + ".tmp", "wb") as f:
                f.write(data)
            os.replace(dst + ".tmp", dst)

    @staticmethod
    def der(path):
        with open(path) as f:
            return ssl.PEM_cert_to_DER_cert(f.read())


# --- TLS clients --------------------------------------------------------------

def client_context(cafile=None, min_version=None, max_version=None, alpn=None, seclevel0=False):
    """A client context: verifying against `cafile`, else not verifying."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if cafile:
        ctx.load_verify_locations(cafile)
    else:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        if seclevel0:  # OpenSSL 3 only offers TLS 1.1 at security level 0
            ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
        if min_version:
            ctx.minimum_version = min_version
        if max_version:
            ctx.maximum_version = max_version
    if alpn:
        ctx.set_alpn_protocols(alpn)
    return ctx


class TlsClient(Stream):
    """A line client over Python's ssl (blocking socket, reads bounded by a timeout)."""

    def __init__(self, port, name=None, context=None, server_hostname="localhost"):
        super().__init__(name)
        raw = socket.create_connection((HOST, port), timeout=TIMEOUT)
        raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            self.sock = (context or client_context()).wrap_socket(raw, server_hostname=server_hostname)
        except BaseException:
            raw.close()
            raise
        self.closed = False

    def version(self):
        return self.sock.version()

    def peer_der(self):
        return self.sock.getpeercert(binary_form=True)

    def _read_some(self, timeout):
        if self.closed:
            return b""
        self.sock.settimeout(max(0.001, timeout))
        try:
            return self.sock.recv(65536)
        except (socket.timeout, ssl.SSLWantReadError):
            return None
        except (ConnectionResetError, BrokenPipeError, ssl.SSLEOFError, ssl.SSLZeroReturnError):
            self.reset_seen = True
            return b""

    def send_raw(self, data):
        self.sock.settimeout(10.0)
        self.sock.sendall(data)

    def close(self):
        if not self.closed:
            self.closed = True
            try:
                self.sock.close()
            except OSError:
                pass


def client_hello():
    """The bytes of a real TLS 1.3 ClientHello (Python's ssl over memory BIOs)."""
    inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = client_context().wrap_bio(inc, out, server_hostname="localhost")
    try:
        obj.do_handshake()
    except ssl.SSLWantReadError:
        pass
    hello = out.read()
    if len(hello) < 100 or hello[0] != 0x16:
        fail("could not make a ClientHello: %r" % hello[:20])
    return hello


def wait_closed(sock, timeout):
    """Reads (and drops) until EOF or reset; True if closed within `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        r, _, _ = select.select([sock], [], [], left)
        if not r:
            return False
        try:
            if sock.recv(65536) == b"":
                return True
        except (ConnectionResetError, BrokenPipeError):
            return True


def wait_text(stream, text, timeout=TIMEOUT, what=None):
    """Reads until `text` appears anywhere in what `stream` received."""
    want = text.encode() if isinstance(text, str) else text
    if not stream._wait_for(lambda: want in stream.transcript, timeout):
        fail("%s: %s: no %s within %.0f s; got %s%s" % (
            stream.name, what or "waiting", short(want), timeout, short(bytes(stream.transcript[-800:])),
            " (closed)" if stream.eof else ""))
    stream.buf.clear()


def metrics(port):
    """The chatd_tls_* values of /metrics (summed over labels)."""
    with urllib.request.urlopen("http://%s:%d/metrics" % (HOST, port), timeout=TIMEOUT) as r:
        text = r.read().decode()
    out = {}
    for m in re.finditer(r"^(chatd_tls_\w+)(?:\{[^}]*\})? ([0-9.eE+-]+)$", text, re.M):
        out[m.group(1)] = out.get(m.group(1), 0) + float(m.group(2))
    for name in ("chatd_tls_handshakes_total", "chatd_tls_failures_total",
                 "chatd_tls_handshake_timeouts_total", "chatd_tls_connections"):
        if name not in out:
            fail("%s missing from /metrics: %s" % (name, short(text, 1500)))
    return out


def wait_metric(port, name, pred, timeout=TIMEOUT):
    deadline = time.monotonic() + timeout
    while True:
        v = metrics(port)[name]
        if pred(v) or time.monotonic() > deadline:
            return v
        time.sleep(0.1)


def need_tool(name):
    """Like require_tool, but a failure: only a missing openssl CLI may skip this test."""
    if not shutil.which(name):
        fail("%s is not installed" % name)


def tls_login(d, nick, **kw):
    return TlsClient(d.tls_port, name="tls:" + nick, **kw).login(nick)


def healthy(d, what):
    """The daemon is alive and a fresh TLS client logs in."""
    d.assert_alive(what)
    c = tls_login(d, "Saude%d" % (int(time.monotonic() * 1000) % 100000))
    c.close()


# --- 1. the report's session: s_client, socat, nc ------------------------------

def check_transcript(d, certs):
    need_tool("socat")
    need_tool("nc")
    room = "REDES"
    sc = ProcClient(["openssl", "s_client", "-quiet", "-connect", "%s:%d" % (HOST, d.tls_port)], name="s_client:Ana")
    so = ProcClient(["socat", "-", "OPENSSL:%s:%d,verify=0" % (HOST, d.tls_port)], name="socat:Bruno")
    nc = ProcClient(["nc", HOST, str(d.port)], name="nc:Carla")
    users = [(sc, "Ana"), (so, "Bruno"), (nc, "Carla")]
    try:
        for c, nick in users:
            c.expect_prompt()
            c.send_line(nick)
            c.expect_welcome(nick)
        sc.send_line("/criar " + room)
        sc.expect(PT.created(room))
        for i, (c, nick) in enumerate(users):
            c.send_line("/entrar " + room)
            c.expect(PT.joined(room))
            for prev, _ in users[:i]:
                prev.expect(PT.joined_other(nick, room))
        # Three messages each, sent without waiting: the room orders them.
        for k in range(3):
            for c, nick in users:
                c.send_line("mensagem %d de %s" % (k, nick))
        views = {}
        for c, nick in users:
            seen = []
            for _ in range(6):
                line = c.read_line()
                m = re.fullmatch(r"\[(\w+)\] (mensagem \d de (\w+))\n", line)
                if not m or m.group(1) != m.group(3) or m.group(1) == nick:
                    fail("%s: got %r, want another user's message" % (c.name, line))
                seen.append(m.group(2))
            views[nick] = seen
        # One order: the union of every user's order has no cycle.
        after = {}
        for seen in views.values():
            for x, y in zip(seen, seen[1:]):
                after.setdefault(x, set()).add(y)
        order, state = [], {}

        def visit(x, path):
            if state.get(x) == 1:
                fail("no single order of messages fits all three users (cycle through %r): %r" % (path, views))
            if state.get(x) == 2:
                return
            state[x] = 1
            for y in after.get(x, ()):
                visit(y, path + [y])
            state[x] = 2
            order.append(x)

        for x in list(after):
            visit(x, [x])
        for nick, seen in views.items():
            for sender in (n for _, n in users if n != nick):
                mine = [s for s in seen if s.endswith(sender)]
                if mine != ["mensagem %d de %s" % (k, sender) for k in range(3)]:
                    fail("%s saw %s's messages out of order: %r" % (nick, sender, mine))
        for c, nick in users:
            c.expect_nothing(0.2)
        sc.send_line("/sair_chat")
        sc.expect(PT.quit_self)
        for c in (so, nc):
            c.expect(PT.quit_other("Ana", room))
        log("one order for s_client, socat and nc: %s" % list(reversed(order)))
    finally:
        for c, _ in users:
            c.close()


# --- 2. versions, ALPN, HTTPS, WSS -------------------------------------------------

def check_versions(d, certs):
    for name, maxv, host, want in (("Tls13", None, "localhost", "TLSv1.3"),
                                   ("Tls12", ssl.TLSVersion.TLSv1_2, "127.0.0.1", "TLSv1.2")):
        c = TlsClient(d.tls_port, name=name, context=client_context(certs.a_cert, max_version=maxv),
                      server_hostname=host)
        try:
            if c.version() != want:
                fail("negotiated %s, want %s" % (c.version(), want))
            c.login(name)
            c.send_line("/salas")
            c.read_line()
        finally:
            c.close()
        log("%s verified against A (as %s) and logged in" % (want, host))
    # TLS 1.1 at most: the server must refuse it (the client really offers it at SECLEVEL=0).
    ctx = client_context(min_version=ssl.TLSVersion.TLSv1_1, max_version=ssl.TLSVersion.TLSv1_1, seclevel0=True)
    raw = socket.create_connection((HOST, d.tls_port), timeout=TIMEOUT)
    try:
        s = ctx.wrap_socket(raw, server_hostname="localhost")
        v = s.version()
        s.close()
        fail("a TLS 1.1-only client was accepted (%s)" % v)
    except ssl.SSLError as e:
        reason = getattr(e, "reason", None) or str(e)
        if reason in ("NO_PROTOCOLS_AVAILABLE", "NO_CIPHERS_AVAILABLE"):
            fail("the test's own client cannot offer TLS 1.1, even at SECLEVEL=0 (%s)" % reason)
        log("TLS 1.1 refused: %s" % reason)
    except (ConnectionResetError, BrokenPipeError) as e:
        log("TLS 1.1 refused: %s" % e)
    finally:
        raw.close()
    healthy(d, "after a TLS 1.1 client")


def https_get(port, path, alpn=("h2", "http/1.1")):
    """(selected ALPN, status, body) of GET path over HTTPS."""
    raw = socket.create_connection((HOST, port), timeout=TIMEOUT)
    s = client_context(alpn=list(alpn)).wrap_socket(raw, server_hostname="localhost")
    try:
        chosen = s.selected_alpn_protocol()
        s.sendall(("GET %s HTTP/1.1\r\nHost: localhost:%d\r\nConnection: close\r\n\r\n" % (path, port)).encode())
        data = b""
        while True:
            try:
                chunk = s.recv(65536)
            except (ssl.SSLEOFError, ConnectionResetError):
                break
            if not chunk:
                break
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        m = re.match(rb"HTTP/1\.1 (\d{3}) ", head)
        if not m:
            fail("GET %s over HTTPS: not an HTTP/1.1 answer: %r" % (path, data[:200]))
        return chosen, int(m.group(1)), body
    finally:
        s.close()


async def wss_chat(d):
    line = Client(d.port, name="nc:Lia").login("Lia")
    try:
        line.send_line("/criar web")
        line.expect(PT.created("web"))
        line.send_line("/entrar web")
        line.expect(PT.joined("web"))
        ws = await ws_login("wss://%s:%d/ws" % (HOST, d.web_tls_port), "Wes", ssl_ctx=client_context())
        try:
            await ws.send("/join web")
            m = await recv_json(ws, "joined")
            if m.get("room") != "web":
                fail("joined %r" % m)
            line.expect(PT.joined_other("Wes", "web"))
            await ws.send("oi por wss")
            line.expect(PT.msg("Wes", "oi por wss"))
            line.send_line("oi do nc")
            m = await recv_json(ws, "message")
            if m.get("nick") == "Wes":  # web clients see their own messages too
                m = await recv_json(ws, "message")
            if m.get("nick") != "Lia" or m.get("text") != "oi do nc":
                fail("the WSS client got %r" % m)
            await ws.close(1000)
            line.expect(PT.quit_other("Wes", "web"))
        finally:
            await ws.close()
    finally:
        line.close()


def check_web_tls(d, certs):
    chosen, status, body = https_get(d.web_tls_port, "/healthz")
    if chosen != "http/1.1":
        fail("ALPN on --web-tls chose %r from ['h2', 'http/1.1'], want 'http/1.1'" % chosen)
    if status != 200 or body != b"ok\n":
        fail("GET /healthz over HTTPS -> %d %r" % (status, body))
    _, status, body = https_get(d.web_tls_port, "/", alpn=("http/1.1",))
    if status != 200 or b"<html" not in body.lower():
        fail("GET / over HTTPS -> %d %r" % (status, body[:80]))
    if websockets is None:
        fail("python3-websockets is not installed (apt-get install python3-websockets): WSS not checked")
    asyncio.run(wss_chat(d))
    log("ALPN http/1.1, /healthz and / over HTTPS, a WSS user chats with an nc user")


# --- 3. bad input ---------------------------------------------------------------

def check_plaintext_to_tls(d, certs):
    for port, what in ((d.tls_port, "--tls-listen"), (d.web_tls_port, "--web-tls")):
        for data in (b"hello\n", b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"):
            s = socket.create_connection((HOST, port), timeout=TIMEOUT)
            try:
                s.sendall(data)
                got = b""
                deadline = time.monotonic() + 3
                closed = False
                while time.monotonic() < deadline:
                    r, _, _ = select.select([s], [], [], deadline - time.monotonic())
                    if not r:
                        break
                    try:
                        chunk = s.recv(65536)
                    except ConnectionResetError:
                        closed = True
                        break
                    if not chunk:
                        closed = True
                        break
                    got += chunk
                if not closed:
                    fail("%s: %r in plaintext: still open after 3 s (got %r)" % (what, data, got[:80]))
                if b"Digite" in got or b"HTTP/1.1" in got:
                    fail("%s answered plaintext %r in plaintext: %r" % (what, data, got[:120]))
            finally:
                s.close()
    healthy(d, "after plaintext on the TLS ports")
    log("plaintext and HTTP to both TLS ports: closed, nothing in clear")


def check_truncated_hello(d, certs):
    hello = client_hello()
    for cut in (3, 5, 40, len(hello) // 2, len(hello) - 1):
        s = socket.create_connection((HOST, d.tls_port), timeout=TIMEOUT)
        s.sendall(hello[:cut])
        s.close()
    # And one with garbage after a valid record header.
    s = socket.create_connection((HOST, d.tls_port), timeout=TIMEOUT)
    s.sendall(hello[:5] + os.urandom(len(hello) - 5))
    if not wait_closed(s, 3):
        fail("a ClientHello record full of random bytes: the connection stayed open")
    s.close()
    time.sleep(0.2)
    healthy(d, "after truncated ClientHellos")
    log("truncated ClientHellos (then close) and a random one: server fine")


def check_stalled(d, certs):
    """Stalled handshakes are dropped after the timeout while others chat."""
    hello = client_hello()
    tina = tls_login(d, "Tina")
    paulo = Client(d.port, name="nc:Paulo").login("Paulo")
    stallers = []
    try:
        tina.send_line("/criar espera")
        tina.expect(PT.created("espera"))
        for c, others in ((tina, []), (paulo, [tina])):
            c.send_line("/entrar espera")
            c.expect(PT.joined("espera"))
            for o in others:
                o.expect(PT.joined_other(c.name.split(":")[1], "espera"))
        for what, data in (("nothing", b""), ("half a ClientHello", hello[:len(hello) // 2]),
                           ("a whole ClientHello, no Finished", hello)):
            t_conn = time.monotonic()
            s = socket.create_connection((HOST, d.tls_port), timeout=TIMEOUT)
            if data:
                s.sendall(data)
            stallers.append([what, s, t_conn, None])
        deadline = time.monotonic() + HANDSHAKE_TIMEOUT + 4
        k = 0
        while time.monotonic() < deadline and any(st[3] is None for st in stallers):
            t = time.monotonic()
            tina.send_line("tique %d" % k)
            paulo.expect(PT.msg("Tina", "tique %d" % k), timeout=2.0, what="chat during stalled handshakes")
            paulo.send_line("taque %d" % k)
            tina.expect(PT.msg("Paulo", "taque %d" % k), timeout=2.0, what="chat during stalled handshakes")
            k += 1
            for st in stallers:
                if st[3] is None:
                    r, _, _ = select.select([st[1]], [], [], 0)
                    if r:
                        try:
                            if st[1].recv(65536) == b"":
                                st[3] = time.monotonic()
                        except ConnectionResetError:
                            st[3] = time.monotonic()
            time.sleep(max(0.0, 0.2 - (time.monotonic() - t)))
        for what, _, t0, t1 in stallers:
            if t1 is None:
                fail("a client that sent %s was not dropped within %d s (--tls-handshake-timeout %d)"
                     % (what, HANDSHAKE_TIMEOUT + 4, HANDSHAKE_TIMEOUT))
            if t1 - t0 < HANDSHAKE_TIMEOUT - EARLY_SLACK:
                fail("a client that sent %s was dropped after %.2f s, before the %d s timeout"
                     % (what, t1 - t0, HANDSHAKE_TIMEOUT))
            log("stalled (%s): dropped after %.2f s" % (what, t1 - t0))
        log("%d messages exchanged by a TLS and a plaintext user meanwhile" % (2 * k))
    finally:
        for st in stallers:
            st[1].close()
        tina.close()
        paulo.close()


def check_flood(d, certs, metrics_port):
    """FLOOD hanging handshakes: a new client still logs in at once; all are dropped."""
    hello = client_hello()
    # Earlier checks' connections may still be counted for a moment.
    wait_metric(metrics_port, "chatd_tls_connections", lambda v: v == 0)
    # A quiet moment first: the shards sleep, and a deadline taken from a
    # clock read before the sleep (not at the accept) would show as early drops.
    time.sleep(0.6)
    before = metrics(metrics_port)
    socks, opened_at = [], {}
    t_start = time.monotonic()
    try:
        for i in range(FLOOD):
            t_conn = time.monotonic()  # before connect: the server's clock starts later
            s = socket.create_connection((HOST, d.tls_port), timeout=TIMEOUT)
            # Half send a whole ClientHello (the server answers and waits for
            # our Finished), half a part of one (it waits for the rest).
            s.sendall(hello if i % 2 == 0 else hello[:64])
            s.setblocking(False)
            socks.append(s)
            opened_at[s.fileno()] = t_conn
        t_opened = time.monotonic()
        t0 = time.monotonic()
        c = tls_login(d, "Nova")
        login_s = time.monotonic() - t0
        c.send_line("/salas")
        c.read_line()
        t_login = time.monotonic()
        log("%d hanging handshakes opened in %.2f s; a new TLS client logged in in %.3f s"
            % (FLOOD, t_opened - t_start, login_s))
        # Every hanging socket must see EOF (or a reset), not before the timeout.
        poller = select.poll()
        by_fd = {}
        for s in socks:
            poller.register(s.fileno(), select.POLLIN)
            by_fd[s.fileno()] = s
        closed_at = {}
        deadline = t_opened + HANDSHAKE_TIMEOUT + 8
        while len(closed_at) < FLOOD and time.monotonic() < deadline:
            for fd, _ in poller.poll(200):
                try:
                    data = by_fd[fd].recv(65536)
                except BlockingIOError:
                    continue
                except (ConnectionResetError, BrokenPipeError):
                    data = b""
                if data == b"":
                    closed_at[fd] = time.monotonic()
                    poller.unregister(fd)
        if len(closed_at) < FLOOD:
            fail("%d of %d hanging handshakes still open 8 s after the %d s timeout"
                 % (FLOOD - len(closed_at), FLOOD, HANDSHAKE_TIMEOUT))
        first = min(closed_at.values())
        lived = sorted(closed_at[fd] - opened_at[fd] for fd in closed_at)
        early = [t for t in lived if t < HANDSHAKE_TIMEOUT - EARLY_SLACK]
        if early:
            fail("%d of %d hanging handshakes were dropped before the %d s timeout, after %.2f..%.2f s"
                 % (len(early), FLOOD, HANDSHAKE_TIMEOUT, early[0], early[-1]))
        if t_login > first:
            fail("the new client needed %.2f s to log in: the hanging handshakes were already being dropped"
                 % login_s)
        log("all %d dropped between %.2f and %.2f s after the flood began"
            % (FLOOD, first - t_start, max(closed_at.values()) - t_start))
        c.send_line("/sair_chat")
        c.expect(PT.quit_self)
        c.close()
    finally:
        for s in socks:
            s.close()
    want = before["chatd_tls_handshake_timeouts_total"] + FLOOD
    got = wait_metric(metrics_port, "chatd_tls_handshake_timeouts_total", lambda v: v >= want)
    if got != want:
        fail("chatd_tls_handshake_timeouts_total went from %d to %d, want +%d"
             % (before["chatd_tls_handshake_timeouts_total"], got, FLOOD))
    g = wait_metric(metrics_port, "chatd_tls_connections", lambda v: v <= before["chatd_tls_connections"])
    if g != before["chatd_tls_connections"]:
        fail("chatd_tls_connections is %d after the flood, was %d before" % (g, before["chatd_tls_connections"]))
    log("/metrics: chatd_tls_handshake_timeouts_total +%d, chatd_tls_connections back to %d"
        % (FLOOD, g))


def check_renegotiation(d, certs):
    sc = ProcClient(["openssl", "s_client", "-tls1_2", "-state", "-connect", "%s:%d" % (HOST, d.tls_port)],
                    name="s_client-tls1_2:Beto")
    try:
        wait_text(sc, "Digite seu apelido: ", what="nickname prompt")
        sc.send_line("Beto")  # not "R..." nor "Q...": s_client's commands
        wait_text(sc, "Bem-vindo(a) ao chat, Beto!", what="welcome")
        sc.send_line("R")
        deadline = time.monotonic() + 5
        while "RENEGOTIATING" not in sc.stderr_text() and time.monotonic() < deadline:
            time.sleep(0.05)
        err = sc.stderr_text()
        if "RENEGOTIATING" not in err:
            fail("s_client never tried to renegotiate; stderr: %s" % short(err, 1500))
        time.sleep(1.0)  # room for a second ServerHello, if the server (wrongly) sent one
        err = sc.stderr_text()
        hellos = err.count("read server hello")
        if hellos != 1:
            fail("s_client read %d ServerHellos: the server renegotiated; stderr: %s" % (hellos, short(err, 2000)))
        after = err[err.index("RENEGOTIATING"):]
        log("renegotiation refused; s_client then: %s" % " | ".join(
            l for l in after.splitlines()[1:6] if l.strip()))
    finally:
        sc.close()
    healthy(d, "after a renegotiation attempt")


# --- 4. SIGHUP ---------------------------------------------------------------------

def sighup_and_wait(d, pattern, what):
    """SIGHUP, then waits for one more log line matching `pattern` (a regex)."""
    def matching():
        return [l for l in d.log_text().splitlines() if pattern.search(l)]
    n = len(matching())
    os.kill(d.pid, signal.SIGHUP)
    deadline = time.monotonic() + TIMEOUT
    while len(matching()) <= n:
        if time.monotonic() > deadline:
            fail("%s: no log line %r within %.0f s of SIGHUP; log tail:\n%s"
                 % (what, pattern.pattern, TIMEOUT, d.log_tail(15)))
        d.assert_alive("after SIGHUP (%s)" % what)
        time.sleep(0.05)
    log("SIGHUP (%s): %s" % (what, matching()[-1].strip()))


def served_der(d):
    c = TlsClient(d.tls_port, name="probe")
    try:
        return c.peer_der()
    finally:
        c.close()


def check_reload(d, certs):
    a, b = certs.der(certs.a_cert), certs.der(certs.b_cert)
    if served_der(d) != a:
        fail("before any SIGHUP the server does not serve certificate A")
    old = tls_login(d, "Velha")
    plain = Client(d.port, name="nc:Plena").login("Plena")
    try:
        old.send_line("/criar recarga")
        old.expect(PT.created("recarga"))
        old.send_line("/entrar recarga")
        old.expect(PT.joined("recarga"))
        plain.send_line("/entrar recarga")
        plain.expect(PT.joined("recarga"))
        old.expect(PT.joined_other("Plena", "recarga"))

        def still_talking(tag):
            old.send_line("velha %s" % tag)
            plain.expect(PT.msg("Velha", "velha %s" % tag), what="the session opened before the reload")
            plain.send_line("plena %s" % tag)
            old.expect(PT.msg("Plena", "plena %s" % tag), what="the session opened before the reload")

        certs.install(certs.b_cert, certs.b_key)
        sighup_and_wait(d, RELOADED, "new certificate B")
        if served_der(d) != b:
            fail("after SIGHUP with certificate B, a new handshake still sees %s"
                 % ("A" if served_der(d) == a else "something else"))
        c = TlsClient(d.tls_port, name="verified-B", context=client_context(certs.b_cert))
        c.login("ComB")
        c.close()
        still_talking("depois de B")
        for what, cert, key in (("certificate A with B's key", certs.a_cert, certs.b_key),
                                ("an expired certificate", certs.e_cert, certs.e_key),
                                ("a missing certificate file", None, certs.b_key)):
            certs.install(cert, key)
            sighup_and_wait(d, REFUSED, what)
            if served_der(d) != b:
                fail("after a refused reload (%s) the server no longer serves B" % what)
            still_talking("depois de %s" % what.split()[1])
        healthy(d, "after the reloads")
        log("B served after SIGHUP, the old session kept talking; mismatched, expired and missing refused")
    finally:
        old.close()
        plain.close()
        certs.install(certs.b_cert, certs.b_key)


# --- 5. start-up errors ----------------------------------------------------------

def check_startup_errors(ctx, certs):
    for what, cert, key, named in (
            ("a missing certificate", certs.missing, certs.a_key, [certs.missing]),
            ("a garbage certificate", certs.garbage, certs.a_key, [certs.garbage]),
            ("a garbage key", certs.a_cert, certs.garbage, [certs.garbage]),
            ("a missing key", certs.a_cert, certs.missing, [certs.missing]),
            ("a key that does not match", certs.a_cert, certs.b_key, [certs.b_key, certs.a_cert])):
        d = Daemon(ctx, tls=(cert, key))
        d.tls_port = free_port()
        argv = d.argv(free_port())
        out, err = os.path.join(tmpdir(), "start.out"), os.path.join(tmpdir(), "start.err")
        with open(out, "wb") as fo, open(err, "wb") as fe:
            p = spawn(argv, stdin=subprocess.DEVNULL, stdout=fo, stderr=fe)
        try:
            rc = p.wait(10)
        except subprocess.TimeoutExpired:
            terminate(p)
            fail("with %s chatd is still running after 10 s" % what)
        with open(err, encoding="utf-8", errors="replace") as f:
            text = f.read()
        # The log shares stderr; besides its timestamped lines, one error line.
        lines = [l for l in text.splitlines() if l.strip() and not LOG_LINE.match(l)]
        if rc != 2:
            fail("with %s chatd exited %s, want 2; stderr: %r" % (what, rc, text[-600:]))
        if len(lines) != 1 or not any(n in lines[0] for n in named):
            fail("with %s stderr should have one line (besides the log) naming %s; it has %r"
                 % (what, " or ".join(named), lines))
        log("%s: exit 2, %r" % (what, lines[0]))


# --- 6. --require-tls-for-login -------------------------------------------------------

async def ws_refused(d):
    ws = await ws_login("ws://%s:%d/ws" % (HOST, d.web_port), "Walt")
    try:
        await ws.send("/register segredo")
        m = await recv_json(ws, "error")
        if m.get("code") != "tls_required":
            fail("/register over plaintext WebSocket: %r, want code tls_required" % m)
    finally:
        await ws.close()


def check_require_tls(ctx, certs):
    extra = ["--require-tls-for-login", "--auth-threads", "1", "--login-attempts", "0", "--rate", "0"]
    with daemon(ctx, tls=(certs.a_cert, certs.a_key), web=True, extra=extra) as d:
        plain = Client(d.port, name="nc:Ana").login("Ana")
        try:
            for cmd in ("/registrar segredo", "/identificar segredo", "/senha velha nova"):
                plain.send_line(cmd)
                plain.expect(TLS_REQUIRED_PT, what="%s over plaintext" % cmd.split()[0])
            plain.expect_nothing(0.2)
        finally:
            plain.close()
        if websockets is not None:
            asyncio.run(ws_refused(d))
        bia = tls_login(d, "Bia")
        bia.send_line("/registrar segredo")
        bia.expect(PT_.account_registered("Bia"), timeout=HASH_TIMEOUT)
        bia.send_line("/sair_chat")
        bia.expect(PT.quit_self)
        bia.expect_eof()
        bia.close()
        # The registered nick over plaintext: refused before any password prompt, then the nick prompt.
        plain = Client(d.port, name="nc:Bia?")
        try:
            plain.expect_prompt()
            deadline = time.monotonic() + TIMEOUT
            while True:
                plain.send_line("Bia")
                # Bia's quit may take a moment to free the nick (its owner may be another shard).
                plain._wait_for(lambda: len(plain.buf) >= 3, TIMEOUT)
                if not plain.buf.startswith("⚠️".encode()) or time.monotonic() > deadline:
                    break
                plain.expect(PT_.nick_taken("Bia"))
                plain.expect_prompt()
                time.sleep(0.1)
            plain.expect(TLS_REQUIRED_PT, what="a registered nick over plaintext")
            plain.expect_prompt()
            plain.send_line("Caio")
            plain.expect_welcome("Caio")
        finally:
            plain.close()
        bia = TlsClient(d.tls_port, name="tls:Bia")
        try:
            bia.expect_prompt()
            bia.send_line("Bia")
            bia.expect(PT_.password_prompt("Bia"))
            bia.send_line("segredo")
            bia.expect(PT_.identified("Bia"), timeout=HASH_TIMEOUT)
            bia.expect_welcome("Bia")
        finally:
            bia.close()
    log("--require-tls-for-login: /registrar, /identificar, /senha and a registered nick refused over "
        "plaintext (line%s), all fine over TLS" % (" and web" if websockets is not None else ""))


# --- main ---------------------------------------------------------------------------

def check_startup_log(d, certs):
    # The port may accept before the start-up lines reach the log file (a
    # slow, sanitized build showed only the first line): wait for them.
    pattern = re.compile(r"tls: [^\n]+; (user-space TLS \(kernel TLS unavailable: [^\n]+\)|kernel TLS available[^\n]*)")
    deadline = time.monotonic() + 10
    m = pattern.search(d.log_text())
    while not m and time.monotonic() < deadline:
        time.sleep(0.05)
        m = pattern.search(d.log_text())
    if not m:
        fail("no start-up line 'tls: <certificate>; user-space TLS (...)' or 'kernel TLS available...'; log:\n%s"
             % d.log_tail(20))
    log("start-up: %s" % m.group(0))


def main(ctx):
    require_tool("openssl")
    certs = Certs()
    checks = Checks()
    metrics_port = free_port()
    extra = ["--rate", "0", "--tls-handshake-timeout", str(HANDSHAKE_TIMEOUT),
             "--metrics", "%s:%d" % (HOST, metrics_port)]
    with daemon(ctx, tls=(certs.live_cert, certs.live_key), web=True, web_tls=True, extra=extra) as d:
        for name, fn, args in (
                ("start-up log names the certificate and the TLS mode", check_startup_log, ()),
                ("1. s_client, socat and nc share a room in one order", check_transcript, ()),
                ("2. TLS 1.3 and 1.2 accepted, 1.1 refused", check_versions, ()),
                ("2. --web-tls: ALPN http/1.1, HTTPS /healthz, WSS chat", check_web_tls, ()),
                ("3. plaintext to the TLS ports is closed", check_plaintext_to_tls, ()),
                ("3. truncated ClientHellos", check_truncated_hello, ()),
                ("3. stalled handshakes dropped after the timeout while others chat", check_stalled, ()),
                ("3. %d hanging handshakes" % FLOOD, check_flood, (metrics_port,)),
                ("3. TLS 1.2 renegotiation refused", check_renegotiation, ()),
                ("4. SIGHUP reloads; bad pairs refused", check_reload, ())):
            with checks.check(name):
                fn(d, certs, *args)
        with checks.check("/metrics counts the handshakes and failures"):
            m = metrics(metrics_port)
            if m["chatd_tls_handshakes_total"] < 20 or m["chatd_tls_failures_total"] < 5:
                fail("chatd_tls_handshakes_total %d, chatd_tls_failures_total %d: too few for what this test did"
                     % (m["chatd_tls_handshakes_total"], m["chatd_tls_failures_total"]))
            log("/metrics: %s" % {k: int(v) for k, v in sorted(m.items())})
        d.assert_alive("at the end")
    with checks.check("5. bad certificate or key at start: exit 2, one line naming the file"):
        check_startup_errors(ctx, certs)
    with checks.check("6. --require-tls-for-login"):
        check_require_tls(ctx, certs)
    checks.finish()


if __name__ == "__main__":
    run(main)
