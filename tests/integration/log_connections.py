#!/usr/bin/env python3
"""--log-connections: the connection lines can be turned off, and a churn is
rate-limited per shard with a summary line instead of a flood."""

import socket
import time

from chatd_harness import HOST, daemon, fail, log, run

NEW = "Nova conexão"


def churn(port, n):
    socks = []
    for _ in range(n):
        socks.append(socket.create_connection((HOST, port), timeout=5))
    for s in socks:
        s.close()


def main(ctx):
    with daemon(ctx, extra=["--log-connections", "no"]) as d:
        for nick in ("Ana", "Bia"):
            c = d.client(nick).login(nick)
            c.send_line("/sair_chat")
            c.expect("👋 Você saiu do chat.\n")
            c.expect_eof()
        time.sleep(0.3)
        text = d.log_text()
        for word in (NEW, "Cliente conectado", "desconectou"):
            if word in text:
                fail("--log-connections no still logged %r:\n%s" % (word, text[-1500:]))
    log("ok   --log-connections no: no connection lines")

    with daemon(ctx) as d:
        churn(d.port, 1500)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and "left out" not in d.log_text():
            time.sleep(0.1)
        text = d.log_text()
        logged = text.count(NEW)
        if "left out" not in text:
            fail("1,500 connections at once: no summary line of left-out lines (%d logged)" % logged)
        if logged >= 1500:
            fail("1,500 connections at once: all %d logged, no rate limit" % logged)
        c = d.client("Cy").login("Cy")  # the daemon serves on
        c.close()
    log("ok   a churn of 1,500 connections: %d lines logged, the rest summarised" % logged)


if __name__ == "__main__":
    run(main)
