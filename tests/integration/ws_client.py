"""A WebSocket chat client for the tests, on Debian's python3-websockets.

Importing this module re-runs the test under /usr/bin/python3 when the
interpreter meson found (say, a pyenv one) has no `websockets`: Debian's
package lives in the system interpreter's path. `websockets` is None when
neither has it (the test skips).
"""

import asyncio
import json
import os
import sys
import time

try:
    import websockets
except ImportError:  # pragma: no cover - depends on the machine
    if os.path.realpath(sys.executable) != os.path.realpath("/usr/bin/python3") and os.path.exists("/usr/bin/python3"):
        os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)
    websockets = None

from chatd_harness import fail

TIMEOUT = 5.0


async def recv_json(ws, want_type=None, timeout=TIMEOUT):
    """The next JSON frame (of `want_type`, skipping others)."""
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            fail("no %s frame within %.0f s" % (want_type or "JSON", timeout))
        raw = await asyncio.wait_for(ws.recv(), left)
        if not isinstance(raw, str):
            fail("binary frame from the server: %r" % raw[:60])
        m = json.loads(raw)
        if want_type is None or m.get("type") == want_type:
            return m


async def ws_login(url, nick, origin=None, ssl_ctx=None):
    """Connects to `url` (ws:// or wss://), answers the nick prompt, checks the welcome."""
    kw = {"ssl": ssl_ctx} if ssl_ctx else {}
    ws = await websockets.connect(url, origin=origin, open_timeout=TIMEOUT, ping_interval=None, **kw)
    m = await recv_json(ws)
    if m != {"type": "prompt", "want": "nick"}:
        fail("first frame %r, want the nick prompt" % m)
    await ws.send(nick)
    m = await recv_json(ws)
    if m.get("type") != "welcome" or m.get("nick") != nick:
        fail("after the nick: %r" % m)
    return ws
