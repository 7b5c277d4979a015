#!/usr/bin/env python3
"""The original Python client's wire behaviour must work unmodified.

The original client.py sends the nickname (stripped) and every typed line
*without* a newline, one send() each, and on "/sair_chat" sends it and closes
the socket at once without waiting for the reply.  scalability.py does the
same with sendall() and waits for any response containing a newline.  The
daemon's line-idle-flush (default 150 ms; the daemon runs with its defaults
here) must turn each such unterminated send into a line.

1. Example 1 (Lari & Math) as typed into client.py: raw sockets, no
   newlines, ~300 ms between sends; every reply compared byte for byte.
2. scalability.py's pattern: 40 concurrent connections ("User-i"), user 0
   creates "sala_unica", everyone joins, sends "Olá, sala!", then /sair_chat.
"""

import threading
import time

from chatd_harness import (PT, Checks, Client, arg_parser, daemon, fail, log, run, short)

GAP = 0.3  # seconds between the original client's sends


class OrigClient(Client):
    """Writes like client.py: one send() per typed line, no newline."""

    def type(self, line):
        time.sleep(GAP)
        log("%s> %r (no newline)" % (self.name, line))
        self.sock.send(line.encode("utf-8"))


def example1(ctx, checks):
    with checks.check("example 1 through client.py's wire format"):
        with daemon(ctx, lang="pt") as d:
            lari = OrigClient(d.port, name="Lari")
            math = OrigClient(d.port, name="Math")
            try:
                lari.expect_prompt()
                lari.type("Lari")
                lari.expect_welcome("Lari")
                lari.type("/criar REDES")
                lari.expect(PT.created("REDES"))
                lari.type("/entrar REDES")
                lari.expect(PT.joined("REDES"))

                math.expect_prompt()
                math.type("Math")
                math.expect_welcome("Math")
                math.type("/salas")
                math.expect(PT.rooms(["REDES"]))
                math.type("/entrar REDES")
                math.expect(PT.joined("REDES"))
                lari.expect(PT.joined_other("Math", "REDES"))

                lari.type("A aula vai ser no labgrad?")
                math.expect(PT.msg("Lari", "A aula vai ser no labgrad?"))
                math.type("sim!! Lab1...")
                lari.expect(PT.msg("Math", "sim!! Lab1..."))
                lari.expect_nothing(0.2)  # no echo of her own message either
                math.expect_nothing(0.0)

                # client.py: send "/sair_chat", then close() at once.
                math.type("/sair_chat")
                math.close()
                lari.expect(PT.quit_other("Math", "REDES"), what="Math's /sair_chat then close")
                lari.type("/sair")
                lari.expect(PT.left_self)
                lari.type("/salas")
                lari.expect(PT.rooms(["REDES"]))
                # here we wait for the reply, to check it, before closing
                lari.type("/sair_chat")
                lari.expect(PT.quit_self)
                lari.expect_eof()
            finally:
                lari.close()
                math.close()


def scalability(ctx, checks, n=40):
    with checks.check("scalability.py pattern, %d connections" % n):
        with daemon(ctx, lang="pt") as d:
            sala = "sala_unica"
            created = threading.Event()
            all_joined = threading.Barrier(n, timeout=30)
            all_received = threading.Barrier(n, timeout=30)
            errors = []
            clients = [None] * n

            def user(i):
                nick = "User-%d" % i
                try:
                    c = OrigClient(d.port, name=nick)
                    clients[i] = c
                    c.expect_prompt(10)
                    c.sock.sendall(nick.encode())  # no newline, like scalability.py
                    c.expect_welcome(nick, 10)
                    if i == 0:
                        time.sleep(GAP)
                        c.sock.sendall(("/criar %s" % sala).encode())
                        c.expect(PT.created(sala), 10)
                        created.set()
                    elif not created.wait(30):
                        fail("%s: room never created" % nick)
                    time.sleep(GAP)
                    c.sock.sendall(("/entrar %s" % sala).encode())
                    c.expect(PT.joined(sala), 10)
                    all_joined.wait()
                    time.sleep(GAP)
                    c.sock.sendall("Olá, sala!".encode())
                    # every other member's message, join notices of later joiners first
                    got = set()
                    deadline = time.monotonic() + 30
                    while len(got) < n - 1:
                        line = c.read_line(max(0.1, deadline - time.monotonic()))
                        if line.startswith("📝 User-") and line.endswith(" entrou na sala '%s'.\n" % sala):
                            if got:
                                fail("%s: join notice after messages: %r" % (nick, line))
                            continue
                        if not (line.startswith("[User-") and line.endswith("] Olá, sala!\n")):
                            fail("%s: unexpected line %r" % (nick, line))
                        who = line[1:line.index("]")]
                        if who == nick:
                            fail("%s: got its own message echoed" % nick)
                        if who in got:
                            fail("%s: got %s's message twice" % (nick, who))
                        got.add(who)
                    all_received.wait()
                    time.sleep(GAP)
                    c.sock.sendall("/sair_chat".encode())
                    # others leave concurrently: skip their quit notices
                    while True:
                        line = c.read_line(10)
                        if line == PT.quit_self:
                            break
                        if not (line.startswith("👋 User-") and
                                line.endswith(" saiu do chat da sala '%s'.\n" % sala)):
                            fail("%s: unexpected line while quitting %r" % (nick, line))
                    c.expect_eof()
                except Exception as e:  # noqa: BLE001 - reported below
                    errors.append("%s: %s" % (nick, e))
                    for b in (all_joined, all_received):
                        b.abort()
                    created.set()

            threads = [threading.Thread(target=user, args=(i,), daemon=True) for i in range(n)]
            try:
                for t in threads:
                    t.start()
                for t in threads:
                    t.join(90)
                if any(t.is_alive() for t in threads):
                    errors.append("some client threads still running after 90 s")
            finally:
                for c in clients:
                    if c is not None:
                        c.close()
            d.assert_alive()
            if errors:
                # BrokenBarrierError noise comes after the first real error
                real = [e for e in errors if "BrokenBarrierError" not in e] or errors
                fail("%d of %d clients failed; first: %s" % (len(errors), n, "\n  ".join(real[:5])))


def main(ctx):
    checks = Checks()
    example1(ctx, checks)
    scalability(ctx, checks)
    checks.finish()


if __name__ == "__main__":
    run(main, arg_parser(__doc__))
