#!/usr/bin/env python3
"""Text hygiene: invalid UTF-8 becomes U+FFFD, terminal controls never reach anyone.

* invalid UTF-8 in a message (stray continuation bytes, truncated sequences,
  overlongs, surrogates, code points above U+10FFFF, F5..FE) arrives at the
  other members with U+FFFD in its place (one per maximal subpart, Unicode
  3.9 -- the same as Python's decode(errors="replace")), valid text intact;
* ESC/CSI/OSC sequences, BEL, BS, CR, DEL and C1 controls are removed from
  nicknames (welcome, join/quit notices, message prefixes), room names
  (created/joined replies, /salas, notices) and messages; what is left of the
  sequences is plain text;
* every byte any client receives is valid UTF-8 without C0 controls (other
  than LF and TAB), DEL or C1 controls.
Without the sanitiser the ESC bytes would be relayed as sent.
"""

import re
import time

from hostile_lib import (PT, Checks, Client, close_all, daemon, fail, in_room, log, run, short)

C1_OR_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def expected_clean(raw):
    """What the daemon should make of `raw` (bytes): PROTOCOL.md's rules, in Python."""
    text = raw.decode("utf-8", "replace")
    text = C1_OR_CONTROL.sub("", text)
    return text.strip(" \t")


def check_clean_stream(c):
    """All bytes c received: valid UTF-8, no controls except LF/TAB, no DEL/C1."""
    data = bytes(c.transcript)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        fail("%s received invalid UTF-8 (%s): %s" % (c.name, e, short(data[max(0, e.start - 40):e.end + 40])))
    m = C1_OR_CONTROL.search(text)
    if m:
        fail("%s received a control character U+%04X: %s"
             % (c.name, ord(m.group()), short(text[max(0, m.start() - 40):m.end() + 40])))


INVALID = [
    b"caf\xc3\xa9 ok",                     # valid, untouched
    b"lone \x80 continuation",
    b"truncated \xc3 two",
    b"truncated \xe2\x82 three",
    b"overlong \xc0\xaf slash",
    b"overlong \xe0\x80\xaf three",
    b"surrogate \xed\xa0\x80 half",
    b"too big \xf4\x90\x80\x80 U+110000",
    b"bad lead \xf5\xfe bytes",
    b"end cut \xf0\x9f\x98",
    b"emoji \xf0\x9f\x98\x80 fine",
]

CONTROLS = [
    b"\x1b[31mred\x1b[0m text",
    b"\x1b]0;pwned title\x07after osc",
    b"bell\x07\x07 and back\x08\x08space",
    b"cr\rin the middle",
    b"del\x7f and c1 \xc2\x9b2J csi",
    b"\x1b[2J\x1b[Hclear screen",
    b"tab\tkept",
]


def t_invalid_utf8(ctx, checks):
    with checks.check("invalid UTF-8 -> U+FFFD in what the others see"):
        with daemon(ctx) as d:
            a, b, c = cs = in_room(d, "R", "Ana", "Bia", "Caio")
            try:
                for raw in INVALID:
                    a.send_raw(raw + b"\n")
                    want = expected_clean(raw)
                    if "\ufffd" not in want and b"\xf0\x9f\x98\x80" not in raw and b"\xc3\xa9" not in raw:
                        fail("test bug: %r should need a replacement" % raw)
                    for r in (b, c):
                        r.expect(PT.msg("Ana", want), what="sanitised %r" % raw)
                for r in cs:
                    check_clean_stream(r)
            finally:
                close_all(cs)


def t_controls_in_messages(ctx, checks):
    with checks.check("ESC/OSC/BEL/DEL/C1 stripped from messages"):
        with daemon(ctx) as d:
            a, b = cs = in_room(d, "R", "Duda", "Edu")
            try:
                for raw in CONTROLS:
                    a.send_raw(raw + b"\n")
                    want = expected_clean(raw)
                    b.expect(PT.msg("Duda", want), what="sanitised %r" % raw)
                # a line of nothing but controls is empty once sanitised: ignored
                a.send_raw(b"\x1b\x07\x7f\xc2\x9b\n")
                a.send_line("fim")
                b.expect(PT.msg("Duda", "fim"), what="(the all-control line is not relayed)")
                for r in cs:
                    check_clean_stream(r)
            finally:
                close_all(cs)


def t_nick_and_room(ctx, checks):
    with checks.check("ESC/OSC/BEL stripped from nicknames and room names everywhere"):
        with daemon(ctx) as d:
            w = Client(d.port, name="watcher").login("Vigia")
            evil = Client(d.port, name="evil")
            try:
                raw_nick = b"\x1b[1;31mMau\x1b[0m\x07\xc2\x9b"
                nick = expected_clean(raw_nick)  # "[1;31mMau[0m"
                raw_room = b"\x1b]0;owned\x07Sala\x1b[5m"
                room = expected_clean(raw_room)  # "]0;ownedSala[5m"
                log("nick %r -> %r, room %r -> %r" % (raw_nick, nick, raw_room, room))
                evil.expect_prompt()
                evil.send_raw(raw_nick + b"\r\n")
                evil.expect_welcome(nick)
                evil.send_raw(b"/criar " + raw_room + b"\n")
                evil.expect(PT.created(room))
                # (with 4 shards the watcher's shard learns of the room a moment later)
                deadline = time.monotonic() + 2.0
                while True:
                    w.send_line("/salas")
                    got = w.read_line()
                    if got == PT.rooms([room]) or time.monotonic() > deadline:
                        break
                    time.sleep(0.05)
                if got != PT.rooms([room]):
                    fail("watcher: /salas gave %r, want %r" % (got, PT.rooms([room])))
                w.send_raw(b"/entrar " + room.encode() + b"\n")
                w.expect(PT.joined(room))
                evil.send_raw(b"/entrar " + raw_room + b"\n")  # sanitised the same way
                evil.expect(PT.joined(room))
                w.expect(PT.joined_other(nick, room))
                evil.send_raw(b"oi \x1b[6n\x1b[c\n")  # terminal queries: stripped
                w.expect(PT.msg(nick, "oi [6n[c"))
                # a nickname that is nothing but controls is empty: the default name
                ghost = Client(d.port, name="ghost")
                ghost.expect_prompt()
                ghost.send_raw(b"\x1b\x07\x1b\n")
                ghost.expect_welcome("Usuário-%d" % ghost.local_port)
                ghost.close()
                evil.send_line("/sair_chat")
                evil.expect(PT.quit_self)
                w.expect(PT.quit_other(nick, room))
                for r in (w, evil):
                    check_clean_stream(r)
                if b"\x1b" in bytes(w.transcript) or b"\x07" in bytes(w.transcript):
                    fail("ESC or BEL reached the watcher")
            finally:
                close_all([w, evil])


def main(ctx):
    checks = Checks()
    t_invalid_utf8(ctx, checks)
    t_controls_in_messages(ctx, checks)
    t_nick_and_room(ctx, checks)
    checks.finish()


if __name__ == "__main__":
    run(main)
