#!/usr/bin/env python3
"""Replays the report's two example sessions (Figures 1-8) with real clients.

Example 1 (Figures 1-3): Lari and Math.  Example 2 (Figures 4-8): Dipper,
Jade, Stephen and Fox Mulder.  Same nicknames, rooms and messages in the same
order, driven through real `nc` (netcat-openbsd, LF) or real `telnet`
(inetutils, CRLF) processes, one per user, with `--lang pt`.  Every byte each
user receives (prompt, welcome, every reply and notice, then the close) is
compared with PROTOCOL.md's Portuguese wording.  The figures are PDF
renderings: their ♦/✓/📄 are really 🔹/✅/📝, and the blank line after each
received message was printed by the original client, not sent.

Where the original server was wrong the fixed behaviour is expected: Fox
Mulder's /sair_chat (matched as /sair by the original, Figure 7's "saiu da
sala") is a real quit, announced as "👋 Fox Mulder saiu do chat da sala
'REDES2'.", and /SAIR_CHAT, /sair_CHAT quit too.

The server log (Figures 3 and 4) is checked as well: pt wording, the
connection lines in connection order and the disconnection lines in the
figure's order.
"""

import re
import sys
import time

from chatd_harness import (HOST, PT, Checks, ProcClient, arg_parser, daemon, fail, log,
                           require_tool, run, short)

PACE = 0.1  # seconds between lines written, on top of waiting for the replies


class NcUser(ProcClient):
    tool = "nc"

    def __init__(self, port, nick):
        super().__init__(["nc", HOST, str(port)], name="nc:" + nick)
        self.nick = nick

    def start(self):
        pass

    def quit_done(self):
        # netcat-openbsd keeps running after the server closes while its stdin
        # is open; with stdin closed it exits only once the network side has
        # reached EOF.  So its exit proves the server closed the connection.
        self.close_stdin()
        self.wait_exit(5.0)
        self.expect_eof(2.0)


_TELNET_BANNER = (b"Trying ", b"Connected to ", b"Escape character is ")


class TelnetUser(ProcClient):
    tool = "telnet"

    def __init__(self, port, nick):
        super().__init__(["telnet", HOST, str(port)], name="telnet:" + nick)
        self.nick = nick

    def start(self):
        """Drop telnet's own "Trying..."/"Connected to"/"Escape character" lines."""
        deadline = time.monotonic() + 5.0
        seen = 0
        while time.monotonic() < deadline:
            b = bytes(self.buf)
            if any(b.startswith(p) for p in _TELNET_BANNER):
                nl = b.find(b"\n")
                if nl >= 0:
                    del self.buf[:nl + 1]
                    seen += 1
                    continue
            elif b and not any(p.startswith(b[:len(p)]) for p in _TELNET_BANNER):
                break  # server bytes
            if not self._fill(deadline) and self.eof:
                break
        if seen == 0:
            fail("%s: telnet printed no banner; got %s" % (self.name, short(b)))

    def quit_done(self):
        # telnet exits by itself when the server closes the connection
        self.wait_exit(5.0)
        self.expect_eof(2.0)
        err = self.stderr_text()
        rest = err.replace("Connection closed by foreign host.", "").strip()
        if rest:
            log("%s: telnet stderr: %r" % (self.name, err))


class Session:
    def __init__(self, d, kind):
        self.d = d
        self.kind = kind
        self.users = {}

    def connect(self, nick):
        cls = NcUser if self.kind == "nc" else TelnetUser
        u = cls(self.d.port, nick)
        self.users[nick] = u
        u.start()
        u.expect_prompt()
        time.sleep(PACE)
        u.send_line(nick)
        u.expect_welcome(nick)
        return u

    def say(self, nick, line, expect):
        """`nick` types `line`; then every user in `expect` must receive its text,
        in the order given (a dict keeps insertion order)."""
        time.sleep(PACE)
        log("%s> %s" % (nick, line))
        self.users[nick].send_line(line)
        for who, text in expect.items():
            self.users[who].expect(text, what="after %s typed %r" % (nick, line))

    def quit(self, nick, line, expect_others):
        self.say(nick, line, dict([(nick, PT.quit_self)] + list(expect_others.items())))
        self.users[nick].quit_done()

    def close_all(self):
        for u in self.users.values():
            u.close()


def check_log(d, connect_order, disconnect_order):
    """Figures 3/4: the server's log lines, pt wording, in order."""
    text = d.log_text()
    lines = text.splitlines()

    def index(sub):
        for i, l in enumerate(lines):
            if sub in l:
                return i
        return -1

    errors = []
    want = "Servidor rodando em %s:%d" % (HOST, d.port)
    if index(want) < 0:
        errors.append("no log line containing %r" % want)
    reg_idx, gone_idx = {}, {}
    for nick in connect_order:
        m = None
        for i, l in enumerate(lines):
            m = re.search(r"Cliente conectado: %s \(\('127\.0\.0\.1', (\d+)\)\)" % re.escape(nick), l)
            if m:
                reg_idx[nick] = i
                break
        if not m:
            errors.append("no log line containing \"Cliente conectado: %s (('127.0.0.1', PORT))\"" % nick)
            continue
        port = int(m.group(1))
        new = "Nova conexão de ('127.0.0.1', %d) (aguardando apelido...)" % port
        gone = "%s ('127.0.0.1', %d) desconectou do chat." % (nick, port)
        i_new, i_gone = index(new), index(gone)
        if i_new < 0:
            errors.append("no log line containing %r" % new)
        elif i_new > reg_idx[nick]:
            errors.append("%r logged after the registration of %s" % (new, nick))
        if i_gone < 0:
            errors.append("no log line containing %r" % gone)
        else:
            gone_idx[nick] = i_gone
            if i_gone < reg_idx[nick]:
                errors.append("%r logged before the registration" % gone)
    got = sorted(reg_idx, key=reg_idx.get)
    if len(got) == len(connect_order) and got != list(connect_order):
        errors.append("registrations logged in order %s, want %s" % (got, list(connect_order)))
    got = sorted(gone_idx, key=gone_idx.get)
    if len(got) == len(disconnect_order) and got != list(disconnect_order):
        errors.append("disconnections logged in order %s, want %s" % (got, list(disconnect_order)))
    if errors:
        fail("server log (Figures 3/4):\n  " + "\n  ".join(errors) +
             "\n  --- log ---\n  " + "\n  ".join(lines[-40:]))


def example1(ctx, kind, checks):
    """Figures 1 (Lari), 2 (Math), 3 (server)."""
    holder = {}
    with checks.check("example 1 (Figures 1-2) via %s" % kind):
        with daemon(ctx, lang="pt") as d:
            holder["d"] = d
            s = Session(d, kind)
            try:
                s.connect("Lari")
                s.say("Lari", "/criar REDES", {"Lari": PT.created("REDES")})
                s.say("Lari", "/entrar REDES", {"Lari": PT.joined("REDES")})
                s.connect("Math")
                s.say("Math", "/salas", {"Math": PT.rooms(["REDES"])})
                s.say("Math", "/entrar REDES", {"Math": PT.joined("REDES"),
                                                "Lari": PT.joined_other("Math", "REDES")})
                s.say("Lari", "A aula vai ser no labgrad?",
                      {"Math": PT.msg("Lari", "A aula vai ser no labgrad?")})
                s.say("Math", "sim!! Lab1...", {"Lari": PT.msg("Math", "sim!! Lab1...")})
                s.say("Lari", "/sair", {"Lari": PT.left_self,
                                        "Math": PT.left_other("Lari", "REDES")})
                s.quit("Math", "/sair_chat", {})
                # Figure 1 ends at /sair; Lari then leaves the chat too.
                s.quit("Lari", "/sair_chat", {})
            finally:
                s.close_all()
    if "d" in holder and holder["d"].stopped:
        with checks.check("example 1 server log (Figure 3) via %s" % kind):
            check_log(holder["d"], ["Lari", "Math"], ["Math", "Lari"])


def example2(ctx, kind, checks):
    """Figures 4 (server), 5 (Dipper), 6 (Jade), 7 (Stephen), 8 (Fox Mulder)."""
    holder = {}
    D, J, S, F = "Dipper", "Jade", "Stephen", "Fox Mulder"
    with checks.check("example 2 (Figures 5-8) via %s" % kind):
        with daemon(ctx, lang="pt") as d:
            holder["d"] = d
            s = Session(d, kind)
            try:
                s.connect(D)
                s.say(D, "/criar REDES", {D: PT.created("REDES")})
                s.say(D, "/entrar REDES", {D: PT.joined("REDES")})
                s.connect(J)
                s.say(J, "/salas", {J: PT.rooms(["REDES"])})
                s.say(J, "/entrar REDES", {J: PT.joined("REDES"), D: PT.joined_other(J, "REDES")})
                s.connect(S)
                s.say(S, "/salas", {S: PT.rooms(["REDES"])})
                s.say(S, "/entrar redes", {S: PT.no_room})  # arguments are case-sensitive
                s.say(S, "/criar REDES", {S: PT.exists})
                s.say(S, "/entrar REDES", {S: PT.joined("REDES"),
                                           D: PT.joined_other(S, "REDES"),
                                           J: PT.joined_other(S, "REDES")})
                s.say(S, "Ola, pessoas!", {D: PT.msg(S, "Ola, pessoas!"),
                                           J: PT.msg(S, "Ola, pessoas!")})
                s.connect(F)  # a nickname with a space
                s.say(F, "/criar REDES2", {F: PT.created("REDES2")})
                s.say(F, "/entrar REDES2", {F: PT.joined("REDES2")})
                s.say(S, "/salas", {S: PT.rooms(["REDES", "REDES2"])})
                s.say(S, "/entrar REDES2", {S: PT.joined("REDES2"),
                                            D: PT.left_other(S, "REDES"),
                                            J: PT.left_other(S, "REDES"),
                                            F: PT.joined_other(S, "REDES2")})
                s.say(S, "Mudei de sala!", {F: PT.msg(S, "Mudei de sala!")})
                s.say(F, "Legal!", {S: PT.msg(F, "Legal!")})
                s.say(D, "Oii, galera!", {J: PT.msg(D, "Oii, galera!")})
                s.say(D, "Hello!!", {J: PT.msg(D, "Hello!!")})
                s.say(J, "Hiii", {D: PT.msg(J, "Hiii")})
                s.say(D, "/sair", {D: PT.left_self, J: PT.left_other(D, "REDES")})
                s.quit(D, "/sair_chat", {})
                # The original matched Fox's /sair_chat as /sair ("📄 Fox Mulder
                # saiu da sala" in Figure 7); fixed: a real quit, announced as such.
                s.quit(F, "/sair_chat", {S: PT.quit_other(F, "REDES2")})
                s.quit(J, "/SAIR_CHAT", {})
                s.quit(S, "/sair_CHAT", {})
            finally:
                s.close_all()
    if "d" in holder and holder["d"].stopped:
        with checks.check("example 2 server log (Figure 4) via %s" % kind):
            check_log(holder["d"], [D, J, S, F], [D, F, J, S])


def example_unicode(ctx, kind, checks):
    """A unicode nickname with a space and accented room/message text."""
    with checks.check("unicode nickname and text via %s" % kind):
        with daemon(ctx, lang="pt") as d:
            s = Session(d, kind)
            try:
                a, b = "Fox Mulder ✨", "Dana Scúlly"
                s.connect(a)
                s.connect(b)
                s.say(a, "/criar Área 51", {a: PT.created("Área 51")})
                s.say(a, "/entrar Área 51", {a: PT.joined("Área 51")})
                s.say(b, "/entrar Área 51", {b: PT.joined("Área 51"), a: PT.joined_other(b, "Área 51")})
                s.say(a, "A verdade está lá fora 👽", {b: PT.msg(a, "A verdade está lá fora 👽")})
                s.quit(b, "/sair_chat", {a: PT.quit_other(b, "Área 51")})
                s.quit(a, "/sair_chat", {})
            finally:
                s.close_all()


def main(ctx):
    kind = ctx.args.client
    require_tool(kind)
    checks = Checks()
    example1(ctx, kind, checks)
    example2(ctx, kind, checks)
    example_unicode(ctx, kind, checks)
    checks.finish()


if __name__ == "__main__":
    p = arg_parser(__doc__)
    p.add_argument("--client", choices=["nc", "telnet"], default="nc")
    run(main, p)
