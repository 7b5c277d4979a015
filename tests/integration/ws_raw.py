"""A WebSocket client over a plain socket (RFC 6455), standard library only:
for frames a library won't send (websocket.py) and for tests that must not
depend on python3-websockets (the cluster test's web member)."""

import base64
import json
import os
import socket
import struct
import time

from chatd_harness import HOST, fail

TIMEOUT = 5.0


def frame(opcode, payload, fin=True, mask=True):
    """A client frame (masked unless told otherwise)."""
    b0 = (0x80 if fin else 0) | opcode
    n = len(payload)
    if n < 126:
        head = struct.pack("!BB", b0, (0x80 if mask else 0) | n)
    elif n < 65536:
        head = struct.pack("!BBH", b0, (0x80 if mask else 0) | 126, n)
    else:
        head = struct.pack("!BBQ", b0, (0x80 if mask else 0) | 127, n)
    if not mask:
        return head + payload
    key = os.urandom(4)
    return head + key + bytes(b ^ key[i % 4] for i, b in enumerate(payload))


class RawWs:
    """A WebSocket client over a plain socket, for frames a library won't send."""

    def __init__(self, port, origin=None):
        self.s = socket.create_connection((HOST, port), timeout=TIMEOUT)
        key = base64.b64encode(os.urandom(16)).decode()
        req = ("GET /ws HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n" % (HOST, port, key))
        if origin:
            req += "Origin: %s\r\n" % origin
        self.s.sendall((req + "\r\n").encode())
        self.buf = b""
        while b"\r\n\r\n" not in self.buf:
            chunk = self.s.recv(4096)
            if not chunk:
                fail("connection closed during the handshake")
            self.buf += chunk
        head, _, self.buf = self.buf.partition(b"\r\n\r\n")
        if not head.startswith(b"HTTP/1.1 101"):
            fail("handshake refused: %r" % head[:200])

    def send(self, data):
        self.s.sendall(data)

    def _need(self, n, deadline):
        while len(self.buf) < n:
            self.s.settimeout(max(0.01, deadline - time.monotonic()))
            chunk = self.s.recv(65536)
            if not chunk:
                raise EOFError("closed")
            self.buf += chunk

    def read_frame(self, timeout=TIMEOUT):
        """(opcode, payload) of the next server frame; servers never mask."""
        deadline = time.monotonic() + timeout
        self._need(2, deadline)
        b0, b1 = self.buf[0], self.buf[1]
        if b1 & 0x80:
            fail("the server sent a masked frame")
        n, off = b1 & 0x7F, 2
        if n == 126:
            self._need(4, deadline)
            n, off = struct.unpack("!H", self.buf[2:4])[0], 4
        elif n == 127:
            self._need(10, deadline)
            n, off = struct.unpack("!Q", self.buf[2:10])[0], 10
        self._need(off + n, deadline)
        payload = self.buf[off:off + n]
        self.buf = self.buf[off + n:]
        return b0 & 0x0F, payload

    def read_json(self, timeout=TIMEOUT):
        op, payload = self.read_frame(timeout)
        if op != 1:
            fail("wanted a text frame, got opcode %d (%r)" % (op, payload[:80]))
        return json.loads(payload.decode("utf-8"))

    def expect_close(self, code, timeout=TIMEOUT):
        """Reads past text frames to the close frame; checks its code and that TCP closes."""
        deadline = time.monotonic() + timeout
        while True:
            op, payload = self.read_frame(max(0.01, deadline - time.monotonic()))
            if op == 8:
                got = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else 1005
                if got != code:
                    fail("close code %d, want %d (reason %r)" % (got, code, payload[2:]))
                break
        try:
            self._need(len(self.buf) + 1, time.monotonic() + timeout)
            fail("the server kept the connection open after its close frame")
        except EOFError:
            pass
        except socket.timeout:
            fail("the server did not close TCP after its close frame")

    def login(self, nick):
        m = self.read_json()
        if m != {"type": "prompt", "want": "nick"}:
            fail("first frame %r, want the nick prompt" % m)
        self.send(frame(1, nick.encode()))
        m = self.read_json()
        if m.get("type") != "welcome" or m.get("nick") != nick:
            fail("after the nick: %r" % m)

    def close(self):
        self.s.close()
