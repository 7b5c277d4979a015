#!/usr/bin/env python3
"""The web listener: HTTP, the WebSocket handshake and frames (RFC 6455),
and web clients sharing a room with a line client (docs/web-protocol.md).

Normal traffic goes through a real client library, Debian's
python3-websockets; what a well-behaved library refuses to send (unmasked
frames, invalid UTF-8, oversize frames) goes over a raw socket.
"""

import asyncio
import base64
import json
import os
import socket
import struct
import time

from ws_client import recv_json, websockets, ws_login  # first: may re-run the test under /usr/bin/python3
from chatd_harness import HOST, daemon, fail, log, run, TestSkip
from ws_raw import TIMEOUT, RawWs, frame



# --- raw HTTP and frames ------------------------------------------------------

def http(port, request, timeout=TIMEOUT):
    """Sends raw request bytes; returns (status, headers dict lower-cased, body) of the answer."""
    s = socket.create_connection((HOST, port), timeout=timeout)
    try:
        s.sendall(request)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        if not lines or not lines[0].startswith("HTTP/1.1 "):
            fail("not an HTTP/1.1 answer to %r: %r" % (request[:60], data[:200]))
        status = int(lines[0].split()[1])
        headers = {}
        for line in lines[1:]:
            k, _, v = line.partition(":")
            headers[k.strip().lower()] = v.strip()
        want = int(headers.get("content-length", "0"))
        while len(body) < want:
            chunk = s.recv(65536)
            if not chunk:
                break
            body += chunk
        return status, headers, body
    finally:
        s.close()


def get(port, path, extra=""):
    return http(port, ("GET %s HTTP/1.1\r\nHost: %s:%d\r\nConnection: close\r\n%s\r\n"
                       % (path, HOST, port, extra)).encode())


# --- the checks ---------------------------------------------------------------

def check_http(d):
    port = d.web_port
    status, headers, body = get(port, "/")
    if status != 200 or b"<html" not in body.lower():
        fail("GET / -> %d %r" % (status, body[:100]))
    csp = headers.get("content-security-policy", "")
    if "default-src 'none'" not in csp or "script-src 'self'" not in csp:
        fail("GET / without a strict Content-Security-Policy: %r" % csp)
    if headers.get("x-content-type-options") != "nosniff":
        fail("GET / without X-Content-Type-Options: nosniff")
    etag = headers.get("etag")
    if not etag:
        fail("GET / without an ETag")
    status, _, body = get(port, "/", "If-None-Match: %s\r\n" % etag)
    if status != 304 or body:
        fail("GET / with its ETag -> %d (want 304, no body)" % status)
    status, _, body = get(port, "/healthz")
    if status != 200 or body != b"ok\n":
        fail("GET /healthz -> %d %r" % (status, body))
    status, _, _ = get(port, "/nope")
    if status != 404:
        fail("GET /nope -> %d, want 404" % status)
    status, headers, _ = http(port, b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
    if status != 405 or "GET" not in headers.get("allow", ""):
        fail("POST / -> %d allow=%r, want 405 with Allow" % (status, headers.get("allow")))
    status, _, _ = http(port, b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 20000 + b"\r\n\r\n")
    if status != 431:
        fail("a 20 kB header -> %d, want 431" % status)
    status, _, _ = http(port, b"\x16\x03\x01 hello garbage\r\n\r\n")
    if status != 400:
        fail("garbage -> %d, want 400" % status)
    # Keep-alive: two requests on one connection, both answered.
    s = socket.create_connection((HOST, port), timeout=TIMEOUT)
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    data = b""
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    s.close()
    if data.count(b"HTTP/1.1 200") != 2:
        fail("two pipelined requests on a keep-alive connection: %r" % data[:300])
    log("ok   HTTP: page with CSP and ETag (304), /healthz, 404, 405, 431, 400, keep-alive")


def upgrade_request(port, key=None, version="13", origin=None, extra=""):
    key = key if key is not None else base64.b64encode(os.urandom(16)).decode()
    req = ("GET /ws HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: %s\r\n%s" % (HOST, port, key, version, extra))
    if origin:
        req += "Origin: %s\r\n" % origin
    return (req + "\r\n").encode()


def check_handshake_errors(d):
    port = d.web_port
    status, headers, _ = http(port, upgrade_request(port, version="8"))
    if status != 426 or headers.get("sec-websocket-version") != "13":
        fail("version 8 -> %d (version header %r), want 426 with Sec-WebSocket-Version: 13"
             % (status, headers.get("sec-websocket-version")))
    status, _, _ = http(port, upgrade_request(port, key="short"))
    if status != 400:
        fail("a bad Sec-WebSocket-Key -> %d, want 400" % status)
    status, _, _ = http(port, upgrade_request(port, origin="http://evil.example"))
    if status != 403:
        fail("a foreign Origin -> %d, want 403" % status)
    status, headers, _ = http(port, upgrade_request(port, key="dGhlIHNhbXBsZSBub25jZQ==",
                                                    origin="http://%s:%d" % (HOST, port)))
    if status != 101 or headers.get("sec-websocket-accept") != "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=":
        fail("the page's own origin -> %d accept=%r" % (status, headers.get("sec-websocket-accept")))
    log("ok   handshake: 426 (version), 400 (key), 403 (origin), 101 with the RFC's accept key")


async def check_chat(d):
    """Two web users and a line user in one room: one order, own echoes, history, PM."""
    port = d.web_port
    line = d.client("nc-user").login("Lia")
    line.send_line("/criar sala")
    line.send_line("/entrar sala")
    line.read_line()
    line.read_line()
    line.send_line("antes")  # history for the web users
    url = "ws://%s:%d/ws" % (HOST, port)
    ana = await ws_login(url, "Ana", origin="http://%s:%d" % (HOST, port))
    bia = await ws_login(url, "Bia")
    for ws in (ana, bia):
        await ws.send("/join sala")
        m = await recv_json(ws, "joined")
        if m.get("room") != "sala":
            fail("joined %r" % m)
        h = await recv_json(ws, "history")
        if h.get("text") != "antes" or h.get("nick") != "Lia" or not isinstance(h.get("seq"), int):
            fail("history on join: %r" % h)
    # Fragmented message with a ping between the fragments (the library sends fragments for an iterable).
    await ana.send(["frag", "mented"])
    await ana.ping()
    await bia.send("oi da Bia")
    line.send_line("oi da Lia")
    seen = {}
    for name, ws in (("Ana", ana), ("Bia", bia)):
        got = []
        while len(got) < 3:
            m = await recv_json(ws, "message")
            got.append((m["seq"], m["nick"], m["text"]))
            if not m.get("time", "").endswith("Z") or "T" not in m["time"]:
                fail("message time %r is not RFC 3339 UTC" % m.get("time"))
        seen[name] = got
    if seen["Ana"] != seen["Bia"]:
        fail("web users saw different orders: %r vs %r" % (seen["Ana"], seen["Bia"]))
    texts = {t for _, _, t in seen["Ana"]}
    if texts != {"fragmented", "oi da Bia", "oi da Lia"}:
        fail("web users got %r" % texts)
    # The line user saw the two web messages in the same relative order.
    want = ["[%s] %s\n" % (n, t) for _, n, t in seen["Ana"] if n != "Lia"]
    lines = []
    deadline = time.monotonic() + TIMEOUT
    while len(lines) < 2 and time.monotonic() < deadline:
        text = line.read_line()
        if text.startswith("[Ana]") or text.startswith("[Bia]"):
            lines.append(text)
    if lines != want:
        fail("line user saw %r, want %r (the web users' order)" % (lines, want))
    await bia.send("/msg Ana segredo")
    p = await recv_json(ana, "private")
    if p.get("from") != "Bia" or p.get("text") != "segredo":
        fail("PM: %r" % p)
    s = await recv_json(bia, "private_sent")
    if s.get("to") != "Ana":
        fail("PM echo: %r" % s)
    # A clean close: the server echoes 1000, the room hears a quit.
    await ana.close(1000)
    if ana.close_code != 1000:
        fail("close code after a clean close: %r" % ana.close_code)
    q = await recv_json(bia, "quit")
    if q.get("nick") != "Ana":
        fail("quit notice %r" % q)
    await bia.close()
    line.close()
    log("ok   chat: web + line users share a room, one order, own echoes, history, fragments + ping, PM, close 1000")


def check_bad_frames(d):
    port = d.web_port
    cases = [
        ("unmasked frame", lambda: frame(1, b"hi", mask=False), 1002),
        ("invalid UTF-8", lambda: frame(1, b"\xc3\x28"), 1007),
        ("binary message", lambda: frame(2, b"\x00\x01"), 1003),
        # Only the header and a little: the length alone must refuse it.
        ("oversize frame", lambda: frame(1, b"x" * 70000)[:20], 1009),
        ("reserved bit", lambda: bytes([0xC1]) + frame(1, b"x")[1:], 1002),
        ("continuation without start", lambda: frame(0, b"x"), 1002),
        ("fragmented ping", lambda: frame(9, b"x", fin=False), 1002),
    ]
    watcher = RawWs(port)
    watcher.login("Vigia")
    watcher.send(frame(1, b"/create frames") + frame(1, b"/join frames"))
    for _ in range(2):
        watcher.read_json()
    for i, (what, make, code) in enumerate(cases):
        w = RawWs(port)
        w.login("Bad%d" % i)
        w.send(frame(1, b"/join frames"))
        if w.read_json().get("type") != "joined":
            fail("%s: join failed" % what)
        if watcher.read_json().get("type") != "join":
            fail("%s: no join notice" % what)
        w.send(make())
        w.expect_close(code)
        w.close()
        m = watcher.read_json()
        if m.get("type") != "quit" or m.get("nick") != "Bad%d" % i:
            fail("%s: the room heard %r, want a quit" % (what, m))
    # Abrupt drop: TCP closed without a close frame.
    w = RawWs(port)
    w.login("Some")
    w.send(frame(1, b"/join frames"))
    w.read_json()
    watcher.read_json()
    w.s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    w.close()  # RST
    m = watcher.read_json()
    if m.get("type") != "quit" or m.get("nick") != "Some":
        fail("abrupt drop: the room heard %r" % m)
    # The server pings; a pong keeps the client, the watcher is still fine.
    watcher.send(frame(9, b"are you there"))
    op, payload = watcher.read_frame()
    if op != 10 or payload != b"are you there":
        fail("ping -> opcode %d %r, want a pong with the same payload" % (op, payload))
    watcher.send(frame(8, struct.pack("!H", 1000)))
    watcher.expect_close(1000)
    watcher.close()
    log("ok   bad frames: 1002 unmasked/RSV/continuation/fragmented control, 1007, 1003, 1009; drops announced as quits")


def check_ping_timeout(ctx):
    """A client that never answers is pinged, then dropped within two intervals."""
    with daemon(ctx, web=True, extra=["--web-ping-interval", "1"]) as d:
        watcher = RawWs(d.web_port)
        watcher.login("Vigia")
        watcher.send(frame(1, b"/create ping") + frame(1, b"/join ping"))
        watcher.read_json()
        watcher.read_json()
        mute = RawWs(d.web_port)
        mute.login("Mudo")
        mute.send(frame(1, b"/join ping"))
        mute.read_json()
        t0 = time.monotonic()
        deadline = t0 + 6
        got_ping = False
        heard = None
        while time.monotonic() < deadline and heard is None:
            try:
                op, payload = watcher.read_frame(0.2)
            except socket.timeout:
                continue
            if op == 9:  # the watcher answers its pings and stays
                watcher.send(frame(10, payload))
            elif op == 1 and json.loads(payload).get("type") != "join":
                heard = json.loads(payload)
        if not heard or heard.get("type") != "quit" or heard.get("nick") != "Mudo":
            fail("the room heard %r, want Mudo's quit" % heard)
        try:
            while True:
                op, _ = mute.read_frame(0.1)
                if op == 9:
                    got_ping = True
        except (socket.timeout, EOFError, OSError):
            pass
        if not got_ping:
            fail("the silent client was never pinged")
        if time.monotonic() - t0 > 5:
            fail("the silent client was not dropped within 5 s at --web-ping-interval 1")
        mute.close()
        watcher.close()
    log("ok   keep-alive: a silent client is pinged, then dropped and announced")


def main(ctx):
    if websockets is None:
        raise TestSkip("python3-websockets is not installed (apt-get install python3-websockets)")
    with daemon(ctx, web=True, extra=["--rate", "0"]) as d:
        check_http(d)
        check_handshake_errors(d)
        asyncio.run(check_chat(d))
        check_bad_frames(d)
        d.assert_alive("after the bad frames")
    check_ping_timeout(ctx)


if __name__ == "__main__":
    run(main)
