#!/usr/bin/env python3
"""/who, /status, /topic, /nick, /whois over real TCP, and what survives a restart.

  * /who lists the room's members in order with the statuses set by
    /status, members spread over the shards (--metrics tells which shard
    took each connection);
  * /topic shows and sets the topic; everyone in the room (the setter too)
    sees the change, all at the same place among the messages flowing at
    the time; the topic is shown on join; "-" clears it;
  * /nick is announced to the room ("X is now Y"), the old nickname is free
    at once, a taken one is refused, an account's one too;
  * /whois for online, offline, registered and unknown nicknames; "last
    seen" is the time of the last logout;
  * names like `'); DROP TABLE x;--`, quotes and UTF-8 (nicknames, room,
    topic, status, messages) are stored and shown verbatim (cleaned as
    usual) — through a restart with --data-dir in a temporary directory:
    the account, the room, its topic and its history survive.
"""

import os
import re
import threading
import time

from chatd_harness import (Checks, Client, arg_parser, daemon, fail, log, run, short, tmpdir)
from identity_harness import (EN, HISTORY_LINE, ShardProbe, connect, connect_on_shards,
                              expect_welcome, join, login_account, metrics_args, quit_, register,
                              to_password_prompt, today_utc)

BASE = ["--auth-threads", "1", "--rate", "0"]
HASH_TIMEOUT = 15


def poll_who(c, T, want, timeout=3.0):
    """/who until the answer is `want`: another shard's /status may still be on its way."""
    deadline = time.monotonic() + timeout
    while True:
        c.send_line("/who")
        got = c.read_line()
        if got == want:
            return
        if time.monotonic() > deadline:
            fail("%s: /who gave %r, want %r" % (c.name, got, want))
        time.sleep(0.05)


def t_who(ctx, checks):
    with checks.check("/who lists the members, in order, with their /status, across shards"):
        T = EN
        margs, mport = metrics_args()
        with daemon(ctx, lang="en", extra=BASE + margs) as d:
            probe = ShardProbe(mport)
            nicks = ["Ana", "Bia", "Caio", "Duda"]
            cs, where = connect_on_shards(d, T, probe, nicks)
            a, b, c, dd = cs
            try:
                a.send_line("/who")
                a.expect(T.needs_room)
                join(T, "REDES", cs)
                a.send_line("/who")
                a.expect(T.members("REDES", [(n, None) for n in nicks]))
                a.send_line("/status studying")
                a.expect(T.status_set("studying"))
                a.send_line("/who")  # the setter's own /who follows its /status
                a.expect(T.members("REDES", [("Ana", "studying"), ("Bia", None), ("Caio", None),
                                             ("Duda", None)]))
                c.send_line("/status away (lunch) — já volto")
                c.expect(T.status_set("away (lunch) — já volto"))
                want = T.members("REDES", [("Ana", "studying"), ("Bia", None),
                                           ("Caio", "away (lunch) — já volto"), ("Duda", None)])
                c.send_line("/quem")
                c.expect(want)
                for x in (a, b, dd):
                    poll_who(x, T, want)
                c.send_line("/whois Caio")
                c.expect(T.whois("Caio", status="away (lunch) — já volto", room="REDES", online=True))
                # limits: 64 characters (code points), not bytes
                a.send_line("/status " + "é" * 65)
                a.expect(T.status_too_long())
                a.send_line("/status " + "é" * 64)
                a.expect(T.status_set("é" * 64))
                a.send_line("/status")
                a.expect(T.status_cleared)
                want = T.members("REDES", [("Ana", None), ("Bia", None),
                                           ("Caio", "away (lunch) — já volto"), ("Duda", None)])
                a.send_line("/who")
                a.expect(want)
                dd.send_line("/leave")
                dd.expect(T.left_self)
                for x in (a, b, c):
                    x.expect(T.left_other("Duda", "REDES"))
                dd.send_line("/who")
                dd.expect(T.needs_room)
                poll_who(b, T, T.members("REDES", [("Ana", None), ("Bia", None),
                                                   ("Caio", "away (lunch) — já volto")]))
                # a status set outside a room goes along into the next one
                dd.send_line("/status back soon")
                dd.expect(T.status_set("back soon"))
                dd.send_line("/join REDES")
                dd.expect(T.joined("REDES"))
                for x in (a, b, c):
                    x.expect(T.joined_other("Duda", "REDES"))
                dd.send_line("/who")
                dd.expect(T.members("REDES", [("Ana", None), ("Bia", None),
                                              ("Caio", "away (lunch) — já volto"),
                                              ("Duda", "back soon")]))
            finally:
                for x in cs:
                    x.close()


def t_topic(ctx, checks):
    with checks.check("/topic: none, set (everyone sees it at the same place among the messages), "
                      "shown on join, cleared, limits"):
        T = EN
        margs, mport = metrics_args()
        with daemon(ctx, lang="en", extra=BASE + margs + ["--history-on-join", "0"]) as d:
            probe = ShardProbe(mport)
            nicks = ["Ana", "Bia", "Caio", "Duda"]
            cs, where = connect_on_shards(d, T, probe, nicks)
            a, b, c, dd = cs
            extra = []
            try:
                a.send_line("/topic")
                a.expect(T.needs_room)
                join(T, "REDES", cs)
                a.send_line("/topic")
                a.expect(T.topic_none("REDES"))
                # Bia talks non-stop while Ana sets the topic: Ana, Caio and Duda must see
                # the change at the same place among Bia's messages; Bia sees it once.
                n = 300
                topic = "Exam on Friday"

                def talk():
                    for i in range(0, n, 10):
                        b.send_raw("".join("m %d\n" % k for k in range(i, i + 10)).encode())
                        time.sleep(0.002)

                t = threading.Thread(target=talk, daemon=True)
                t.start()
                time.sleep(0.01)
                a.send_line("/topic " + topic)
                t.join(20)
                change = T.topic_changed("Ana", "REDES", topic)
                seqs = {}
                for x in (a, c, dd):
                    seq = []
                    while len(seq) < n + 1:
                        line = x.read_line(10)
                        if line == change:
                            seq.append("TOPIC")
                        elif line.startswith("[Bia] m "):
                            seq.append(line)
                        else:
                            fail("%s: unexpected %r" % (x.name, line))
                    if seq.count("TOPIC") != 1 or \
                            [s for s in seq if s != "TOPIC"] != ["[Bia] m %d\n" % k for k in range(n)]:
                        fail("%s: messages or topic change lost, doubled or out of order: %s"
                             % (x.name, short(repr(seq))))
                    seqs[x.name] = seq.index("TOPIC")
                log("topic change seen after %s of Bia's %d messages" % (seqs, n))
                if len(set(seqs.values())) != 1:
                    fail("the topic change is not at the same place in the room's order: after %s "
                         "messages" % seqs)
                b.expect(change)
                for x in cs:
                    x.expect_nothing(0.1)
                dd.send_line("/topic")
                dd.expect(T.topic("REDES", topic))
                dd.send_line("/TOPICO")
                dd.expect(T.topic("REDES", topic))
                # a joiner is shown the topic right after its confirmation
                e = connect(d, T, "Edu")
                extra.append(e)
                e.send_line("/join REDES")
                e.expect(T.joined("REDES") + T.topic("REDES", topic))
                for x in cs:
                    x.expect(T.joined_other("Edu", "REDES"))
                e.expect_nothing(0.2)
                # cleared with "-": everyone told, and no topic any more
                c.send_line("/topic -")
                for x in cs + [e]:
                    x.expect(T.topic_cleared("Caio", "REDES"))
                e.send_line("/topic")
                e.expect(T.topic_none("REDES"))
                f = connect(d, T, "Fabi")
                extra.append(f)
                f.send_line("/join REDES")
                f.expect(T.joined("REDES"))
                f.expect_nothing(0.3)  # no topic line
                for x in cs + [e]:
                    x.expect(T.joined_other("Fabi", "REDES"))
                # limits: 256 characters (code points)
                a.send_line("/topic " + "ç" * 257)
                a.expect(T.topic_too_long())
                a.send_line("/topic " + "ç" * 256)
                for x in cs + [e, f]:
                    x.expect(T.topic_changed("Ana", "REDES", "ç" * 256))
            finally:
                for x in cs + extra:
                    x.close()


def t_nick(ctx, checks):
    with checks.check("/nick: announced, old nickname free, taken, registered, invalid"):
        T = EN
        margs, mport = metrics_args()
        with daemon(ctx, lang="en", extra=BASE + margs) as d:
            probe = ShardProbe(mport)
            cs, where = connect_on_shards(d, T, probe, ["Ana", "Bia", "Caio"])
            a, b, c = cs
            extra = []
            try:
                reg = register(d, T, "Reg", "segredo")  # hash 1
                quit_(reg, T)
                join(T, "R", cs)
                a.send_line("/nick Zed")
                a.expect(T.nick_changed_self("Zed"))
                for x in (b, c):
                    x.expect(T.nick_changed("Ana", "Zed"))
                a.send_line("hi, I am Zed now")
                for x in (b, c):
                    x.expect(T.msg("Zed", "hi, I am Zed now"))
                b.send_line("/who")
                b.expect(T.members("R", [("Zed", None), ("Bia", None), ("Caio", None)]))
                # the old nickname is free at once
                ana = connect(d, T, "Ana", name="new Ana")
                extra.append(ana)
                ana.expect_nothing(0.2)
                b.send_line("/msg Ana are you new?")
                ana.expect(T.pm_from("Bia", "are you new?"))
                b.expect(T.pm_to("Ana", "are you new?"))
                b.send_line("/msg Zed hello Zed")
                a.expect(T.pm_from("Bia", "hello Zed"))
                b.expect(T.pm_to("Zed", "hello Zed"))
                # taken (any case), an account's, invalid, usage
                for n in ("Zed", "zED", "ana"):
                    b.send_line("/nick " + n)
                    b.expect(T.nick_taken(n))
                b.send_line("/nick Reg")
                b.expect(T.nick_registered("Reg"))
                b.send_line("/nick /slash")
                b.expect(T.nick_invalid)
                b.send_line("/nick " + "x" * 33)
                b.expect(T.nick_invalid)
                b.send_line("/nick")
                b.expect(T.usage_nick)
                a.send_line("/nick Zed")  # already yours: confirmed, nobody told
                a.expect(T.nick_changed_self("Zed"))
                # the Portuguese word; a change outside a room tells nobody
                b.send_line("/apelido Bea")
                b.expect(T.nick_changed_self("Bea"))
                for x in (a, c):
                    x.expect(T.nick_changed("Bia", "Bea"))
                ana.send_line("/nick Ana2")
                ana.expect(T.nick_changed_self("Ana2"))
                for x in cs:
                    x.expect_nothing(0.2)
                c.send_line("/whois Bia")
                c.expect(T.no_such_nick("Bia"))
                c.send_line("/whois bea")
                c.expect(T.whois("Bea", room="R", online=True))
                # after a change, leaving the room is announced under the new name
                a.send_line("/leave")
                a.expect(T.left_self)
                for x in (b, c):
                    x.expect(T.left_other("Zed", "R"))
            finally:
                for x in cs + extra:
                    x.close()


LAST_SEEN = re.compile(r"👤 Lari — registered since (\d{4}-\d\d-\d\d), status: on holiday, "
                       r"last seen (\d{4}-\d\d-\d\d \d\d:\d\d) UTC\n\Z")


def t_whois(ctx, checks):
    with checks.check("/whois: online without account, registered online and offline, unknown "
                      "(DAEMON BUG: offline shows 'room: <folded nick>')"):
        T = EN
        with daemon(ctx, lang="en", extra=BASE) as d:
            cs = []
            try:
                m = connect(d, T, "Math")
                cs.append(m)
                m.send_line("/whois Math")
                m.expect(T.whois("Math", online=True))
                m.send_line("/whois Nobody")
                m.expect(T.no_such_nick("Nobody"))
                m.send_line("/whois")
                m.expect(T.usage_whois)
                m.send_line("/perfil /x")
                m.expect(T.no_such_nick("/x"))
                lari = register(d, T, "Lari", "segredo")  # hash 1
                cs.append(lari)
                lari.send_line("/status on holiday")
                lari.expect(T.status_set("on holiday"))
                lari.send_line("/create REDES")
                lari.expect(T.created("REDES"))
                lari.send_line("/join REDES")
                lari.expect(T.joined("REDES"))
                m.send_line("/whois lari")  # any case; shown as the account holder is called
                m.expect(T.whois("Lari", since=today_utc(), status="on holiday", room="REDES",
                                 online=True))
                quit_(lari, T)
                time.sleep(0.2)
                m.send_line("/PERFIL Lari")
                line = m.read_line()
                now = time.strftime("%Y-%m-%d %H:%M", time.gmtime())
                log("offline profile: %r" % line)
                # DAEMON BUG (found by this check): an offline profile shows "room: lari" —
                # Shard::own_whois_ask (src/shard/identity_owner.cpp) answers through
                # answer(), which copies the request's name (the folded nickname) into
                # r.name, and Shard::on_whois_info (identity.cpp) renders r.name as the room.
                room_bug = line if ", room: " in line else None
                line = re.sub(r", room: [^,]*", "", line)  # check the rest, report the bug at the end
                mm = LAST_SEEN.match(line)
                if not mm or mm.group(1) != today_utc():
                    fail("offline profile: want %r, got %r" % (LAST_SEEN.pattern, line))
                if mm.group(2) > now:
                    fail("last seen %s is in the future (now %s)" % (mm.group(2), now))
                # held at the password prompt: not online, not someone else's
                x = to_password_prompt(d, T, "Lari", name="at-prompt")
                cs.append(x)
                m.send_line("/whois Lari")
                line = m.read_line()
                if not LAST_SEEN.match(re.sub(r", room: [^,]*", "", line)):
                    fail("profile while someone is at Lari's password prompt: want offline, got %r" % line)
                if room_bug:
                    fail("DAEMON BUG: an offline profile names a room (the folded nickname): %r" % room_bug)
            finally:
                for c in cs:
                    c.close()


def t_last_seen(ctx, checks):
    # DAEMON BUG (found by this test): Shard::destroy (src/shard/output.cpp) records
    # "last seen" only if session.identified(), but Session::on_disconnect and
    # the /quit branch of Session::on_command (src/chat/session.cpp) have
    # already set identified_ = false by then; so last_seen_ms keeps the
    # registration time forever.
    with checks.check("DAEMON BUG: 'last seen' is the time of the last logout, not of the registration"):
        T = EN
        with daemon(ctx, lang="en", extra=BASE) as d:
            cs = []
            try:
                lari = register(d, T, "Lari", "segredo")  # hash 1
                cs.append(lari)
                lari.send_line("/status on holiday")
                lari.expect(T.status_set("on holiday"))
                registered_at = time.strftime("%Y-%m-%d %H:%M", time.gmtime())
                quit_(lari, T)
                # wait for the next minute (at most 61 s): the logout must show it
                while time.strftime("%Y-%m-%d %H:%M", time.gmtime()) == registered_at:
                    time.sleep(0.5)
                lari = login_account(d, T, "Lari", "segredo", timeout=HASH_TIMEOUT)  # hash 2
                cs.append(lari)
                out_at = time.strftime("%Y-%m-%d %H:%M", time.gmtime())
                quit_(lari, T)
                time.sleep(0.3)
                m = connect(d, T, "Math")
                cs.append(m)
                m.send_line("/whois Lari")
                line = m.read_line()
                # only the time matters here (t_whois checks the rest of the line)
                mm = re.search(r", last seen (\d{4}-\d\d-\d\d \d\d:\d\d) UTC\n\Z", line)
                if not mm:
                    fail("offline profile: want '..., last seen YYYY-MM-DD HH:MM UTC', got %r" % line)
                if mm.group(1) < out_at:
                    fail("last seen %s, but Lari logged out at %s (registered at %s)"
                         % (mm.group(1), out_at, registered_at))
            finally:
                for c in cs:
                    c.close()


# Names that would break a query built by pasting strings, or a careless renderer.
SQL_NICK = "'); DROP TABLE x;--"
UTF_NICK = "Ünïcødé 名前 🎉"
QUOTE_NICK = "O'Brien \"Bob\" `x`"
ROOM = "sala'; DELETE FROM rooms;-- \"ç\""
TOPIC = "\"quoted\" 'single' `tick`; DROP TABLE rooms;-- {} {0} %s %n ção 名前 🎉"
STATUS = "'; UPDATE accounts SET password_hash='';--"
MESSAGE = "Robert'); DROP TABLE messages;-- \"olá\" {}"


def t_hostile_restart(ctx, checks):
    with checks.check("SQL-like, quoted and UTF-8 names stored and shown verbatim, through a restart "
                      "(--data-dir)"):
        T = EN
        data = os.path.join(tmpdir(), "social-data")
        extra = BASE + ["--data-dir", data, "--history-on-join", "3", "--login-attempts", "0"]
        cs = []
        try:
            with daemon(ctx, lang="en", extra=extra) as d:
                s = register(d, T, SQL_NICK, "pw one")  # hash 1
                u = register(d, T, UTF_NICK, "pw two")  # hash 2
                q = connect(d, T, QUOTE_NICK)
                cs += [s, u, q]
                join(T, ROOM, [s, u, q])
                s.send_line("/status " + STATUS)
                s.expect(T.status_set(STATUS))
                # control characters in a topic are cleaned like a message's
                u.send_raw(b"/topic a\x1b[31mb\x07c\xc2\x9b\n")
                for x in (s, u, q):
                    x.expect(T.topic_changed(UTF_NICK, ROOM, "a[31mbc"))
                s.send_line("/topic " + TOPIC)
                for x in (s, u, q):
                    x.expect(T.topic_changed(SQL_NICK, ROOM, TOPIC))
                q.send_line(MESSAGE)
                s.expect(T.msg(QUOTE_NICK, MESSAGE))
                u.expect(T.msg(QUOTE_NICK, MESSAGE))
                poll_who(q, T, T.members(ROOM, [(SQL_NICK, STATUS), (UTF_NICK, None), (QUOTE_NICK, None)]))
                q.send_line("/whois " + SQL_NICK)
                q.expect(T.whois(SQL_NICK, since=today_utc(), status=STATUS, room=ROOM, online=True))
                q.send_line("/msg %s hi" % UTF_NICK.split()[0])  # /msg takes one word: not the nickname
                q.expect(T.no_such_nick(UTF_NICK.split()[0]))
                quit_(u, T)
                for x in (s, q):
                    x.expect(T.quit_other(UTF_NICK, ROOM))
                for x in cs:
                    x.close()
            log("restarting on the same --data-dir")
            with daemon(ctx, lang="en", extra=extra) as d:
                q = connect(d, T, QUOTE_NICK)  # not an account: free, no password
                cs.append(q)
                q.send_line("/rooms")
                q.expect(T.rooms([ROOM]))
                q.send_line("/whois " + SQL_NICK)
                line = q.read_line()
                # the account and its status survive (t_whois checks the offline profile's form)
                want = "👤 %s — registered since %s, status: %s, " % (SQL_NICK, today_utc(), STATUS)
                if not line.startswith(want) or not re.search(r", last seen [-\d: ]+ UTC\n\Z", line):
                    fail("profile after the restart: want %r... last seen ... UTC, got %r" % (want, line))
                x = Client(d.port, name="not the owner")
                cs.append(x)
                x.expect(T.prompt)
                x.send_line(SQL_NICK)
                x.expect(T.password_prompt(SQL_NICK))
                x.send_line("pw two")  # hash 3
                x.expect(T.wrong_password + T.password_prompt(SQL_NICK), timeout=HASH_TIMEOUT)
                x.send_line("pw one")  # hash 4
                x.expect(T.identified(SQL_NICK), timeout=HASH_TIMEOUT)
                expect_welcome(x, T, SQL_NICK)
                x.send_line("/join " + ROOM)
                x.expect(T.joined(ROOM) + T.topic(ROOM, TOPIC))
                hist = [x.read_line() for _ in range(1)]
                mm = HISTORY_LINE.match(hist[0])
                if not mm or (mm.group(3), mm.group(4)) != (QUOTE_NICK, MESSAGE):
                    fail("history on join after the restart: want %s's message, got %r" % (QUOTE_NICK, hist))
                x.expect_nothing(0.3)
                q.send_line("/join " + ROOM)
                q.expect(T.joined(ROOM) + T.topic(ROOM, TOPIC))
                q.expect_line_prefix("🕘 ")
                x.expect(T.joined_other(QUOTE_NICK, ROOM))
                q.send_line("/who")
                q.expect(T.members(ROOM, [(SQL_NICK, STATUS), (QUOTE_NICK, None)]))
                q.send_line("/topic")
                q.expect(T.topic(ROOM, TOPIC))
                u = login_account(d, T, UTF_NICK, "pw two", timeout=HASH_TIMEOUT)  # hash 5
                cs.append(u)
                u.send_line("/whois " + UTF_NICK)
                u.expect(T.whois(UTF_NICK, since=today_utc(), online=True))
        finally:
            for x in cs:
                x.close()


def main(ctx):
    checks = Checks()
    t_who(ctx, checks)
    t_topic(ctx, checks)
    t_nick(ctx, checks)
    t_whois(ctx, checks)
    t_hostile_restart(ctx, checks)
    t_last_seen(ctx, checks)
    checks.finish()


if __name__ == "__main__":
    run(main, arg_parser(__doc__))
