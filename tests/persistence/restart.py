#!/usr/bin/env python3
"""Rooms, topics, history and accounts survive a restart (SIGTERM) with
--data-dir; with --data-dir '' everything works and nothing survives.

First run: rooms created in a fixed (non-alphabetical) order, topics set on
two of them, 15 + 3 numbered messages, an account registered (a password
with blanks inside).  SIGTERM, exit 0.  The database (read-only, after the
stop) has the rooms in that order, the topics, seqs 1..N with the texts and
times of the run, and an Argon2id hash for the account.  To tell "the time
it was said" from "the time it was loaded", the stored times of one room are
then moved 5 h 17 min into the past, as if said earlier (the only write to
the database, made while no daemon runs).

Second run on the same directory: /salas lists the rooms in the same order;
joining shows the topic, then the last --history-on-join (10) messages with
their stored times; a room without topic or messages shows neither and
/historico says it is empty; the account asks for its password (a wrong one
is refused); new messages continue the room's order: /historico 100 shows
old and new, each once, in order, no hole, and after the stop the database
has seqs 1..N+5.

Rooms created at the same time from four connections (on four shards with
--threads 4) keep the order /salas gave them across a restart too.  A
SIGTERM right after a burst of 40,000 messages (--rate 0), as soon as a
member has received them all, still stores every one of them.
"""

import os
import threading
import time

from persist_lib import (PT, PTP, Checks, Db, check_no_holes, close_all, daemon, in_room, fail, hhmm, history_line, log,
                         login_password, read_history, run, temp_dir)

ROOMS = ["sala-a", "Sala B", "café", "z9", "alfa", "Quarto 2"]  # creation order, not sorted
PASSWORD = "correct horse 42"
SHIFT_MS = (5 * 60 + 17) * 60 * 1000
COMMON = ["--rate", "0", "--registrations-per-ip", "0", "--history-on-join", "10",
          "--history-flush-ms", "200"]
SLACK_MS = 1000  # the daemon stamps with a coarse clock


def wall_ms():
    return int(time.time() * 1000)


def first_run(ctx, data_dir, sent):
    with daemon(ctx, extra=COMMON + ["--data-dir", data_dir]) as d:
        ana = d.client("Ana").login("Ana")
        bia = d.client("Bia").login("Bia")
        caio = d.client("Caio").login("Caio")
        try:
            for r in ROOMS:
                ana.send_line("/criar " + r)
                ana.expect(PT.created(r))
            ana.send_line("/salas")
            ana.expect(PT.rooms(ROOMS))
            for c in (ana, bia):
                c.send_line("/entrar sala-a")
                c.expect(PT.joined("sala-a"))
            ana.expect(PT.joined_other("Bia", "sala-a"))
            ana.send_line("/topico Prova na sexta")
            for c in (ana, bia):
                c.expect(PTP.topic_changed("Ana", "sala-a", "Prova na sexta"))
            for i in range(1, 16):
                text = "A-%02d" % i
                before = wall_ms()
                ana.send_line(text)
                bia.expect(PT.msg("Ana", text))
                sent["sala-a"].append(("Ana", text, before, wall_ms()))
            caio.send_line("/entrar Sala B")
            caio.expect(PT.joined("Sala B"))
            caio.send_line("/topic Só amanhã")  # the English word, the same command
            caio.expect(PTP.topic_changed("Caio", "Sala B", "Só amanhã"))
            for i in range(1, 4):
                text = "B-%02d" % i
                before = wall_ms()
                caio.send_line(text)
                # Caio is alone: /historico 1 is the acknowledgement
                caio.send_line("/historico 1")
                (tm, nick, got), = read_history(caio, 1)
                if (nick, got) != ("Caio", text):
                    fail("Sala B: /historico 1 after %r showed %r" % (text, (tm, nick, got)))
                sent["Sala B"].append(("Caio", text, before, wall_ms()))
            ana.send_line("/registrar  %s " % PASSWORD)  # blanks at the ends are dropped
            ana.expect(PTP.account_created("Ana"))
        finally:
            close_all([ana, bia, caio])


def check_room_order(data_dir):
    with Db(data_dir) as db:
        names = [r[0] for r in db.rooms()]
    if names != ROOMS:
        fail("rooms stored in the order %r, created (one after the other) in %r" % (names, ROOMS))


def check_first_db(data_dir, sent):
    with Db(data_dir) as db:
        rooms = db.rooms()
        if sorted(r[0] for r in rooms) != sorted(ROOMS):
            fail("rooms stored: %r, created: %r" % ([r[0] for r in rooms], ROOMS))
        topics = {r[0]: r[1] for r in rooms}
        if topics["sala-a"] != "Prova na sexta" or topics["Sala B"] != "Só amanhã" or topics["café"] != "":
            fail("stored topics: %r" % topics)
        for room, want in sent.items():
            msgs = db.messages(room)
            n = check_no_holes(room, msgs)
            if n != len(want):
                fail("room %r: %d messages stored, %d were said" % (room, n, len(want)))
            for (seq, t, nick, text), (wn, wt, before, after) in zip(msgs, want):
                if (nick, text) != (wn, wt):
                    fail("room %r seq %d: stored %r, said %r" % (room, seq, (nick, text), (wn, wt)))
                if not before - SLACK_MS <= t <= after + SLACK_MS:
                    fail("room %r seq %d: stored time %d, said between %d and %d" % (room, seq, t, before, after))
            last_seq = db.room(room)[2]
            if last_seq != n:
                fail("room %r: last_seq %d, %d messages" % (room, last_seq, n))
        if db.messages("café"):
            fail("café has messages: %r" % db.messages("café"))
        acc = db.account("ana")
        if acc is None:
            fail("no account 'ana' stored; accounts: %r" % db.accounts())
        if acc[0] != "Ana" or not acc[1].startswith("$argon2id$"):
            fail("account 'ana' stored as %r" % (acc,))


def shift_times(data_dir, room, by_ms):
    """Move the stored times of `room` into the past (no daemon running)."""
    import sqlite3
    conn = sqlite3.connect(os.path.join(data_dir, "chatd.db"))
    try:
        with conn:
            conn.execute("UPDATE messages SET time_ms = time_ms - ? WHERE room_id = "
                         "(SELECT id FROM rooms WHERE name = ?)", (by_ms, room))
    finally:
        conn.close()


def stored_messages(data_dir, room):
    with Db(data_dir) as db:
        return [(t, nick, text) for _, t, nick, text in db.messages(room)]


def second_run(ctx, data_dir, checks):
    a_msgs = stored_messages(data_dir, "sala-a")
    b_msgs = stored_messages(data_dir, "Sala B")
    with daemon(ctx, extra=COMMON + ["--data-dir", data_dir]) as d:
        bia = d.client("Bia").login("Bia")  # no account: no password asked
        cs = [bia]
        try:
            bia.send_line("/salas")
            listed = bia.read_line()
            with checks.check("/salas after the restart lists the rooms in creation order"):
                if listed != PT.rooms(ROOMS):
                    fail("/salas after the restart: %r, want %r" % (listed, PT.rooms(ROOMS)))
            bia.send_line("/entrar sala-a")
            bia.expect(PT.joined("sala-a"))
            bia.expect(PTP.topic("sala-a", "Prova na sexta"), what="topic on join")
            for t, nick, text in a_msgs[-10:]:
                bia.expect(history_line(t, nick, text), what="history on join (stored time)")
            bia.expect_nothing(0.3)

            ana = login_password(d, "Ana", PASSWORD, wrong=["correct horse", " " + PASSWORD])
            cs.append(ana)
            ana.send_line("/entrar sala-a")
            ana.expect(PT.joined("sala-a"))
            ana.expect(PTP.topic("sala-a", "Prova na sexta"))
            for t, nick, text in a_msgs[-10:]:
                ana.expect(history_line(t, nick, text))
            bia.expect(PT.joined_other("Ana", "sala-a"))
            new = ["A-%02d" % i for i in range(16, 21)]
            for text in new:
                ana.send_line(text)
                bia.expect(PT.msg("Ana", text))
            bia.send_line("/historico 100")
            hist = read_history(bia, 20, what="/historico 100")
            texts = [h[2] for h in hist]
            want = ["A-%02d" % i for i in range(1, 21)]
            if texts != want:
                fail("/historico 100 after the restart shows %r, want %r" % (texts, want))
            for (tm, nick, text), (t, wn, wt) in zip(hist, a_msgs):
                if tm != hhmm(t) or nick != wn:
                    fail("/historico: %r shown as [%s] [%s], stored at %s by %s" % (text, tm, nick, hhmm(t), wn))
            bia.expect_nothing(0.3)

            caio = d.client("Caio").login("Caio")
            cs.append(caio)
            caio.send_line("/entrar Sala B")
            caio.expect(PT.joined("Sala B"))
            caio.expect(PTP.topic("Sala B", "Só amanhã"))
            for t, nick, text in b_msgs:
                caio.expect(history_line(t, nick, text))
            caio.expect_nothing(0.3)
            caio.send_line("/entrar café")
            caio.expect(PT.joined("café"))
            caio.expect_nothing(0.3)  # no topic, no history
            caio.send_line("/topico")
            caio.expect(PTP.topic_none("café"))
            caio.send_line("/historico")
            caio.expect(PTP.history_empty("café"))
            # the account is still Ana's
            caio.send_line("/apelido Ana")
            caio.expect("⚠️ O apelido 'Ana' pertence a uma conta. Para usá-lo, conecte-se de novo com ele "
                        "e digite a senha.\n")
        finally:
            close_all(cs)
    with Db(data_dir) as db:
        msgs = db.messages("sala-a")
        n = check_no_holes("sala-a", msgs)
        texts = [m[3] for m in msgs]
        if n != 20 or texts != ["A-%02d" % i for i in range(1, 21)]:
            fail("sala-a after the second run: %d messages %r" % (n, texts))
        if db.room("sala-a")[2] != 20:
            fail("sala-a: last_seq %d, want 20" % db.room("sala-a")[2])
        log("sala-a numbering continued: seqs 1..20 (15 before the restart, 5 after)")


def concurrent_creations(ctx):
    """Four clients (on different shards when there are several) create 25
    rooms each, pipelined, at the same time, while a fifth one keeps the
    store busy with 20,000 messages in a room of its own: /salas must list
    the rooms in the same order before and after a restart."""
    data_dir = os.path.join(temp_dir("concurrent-"), "data")
    # one page holds all 101 rooms, so /salas is the single original line
    extra = COMMON + ["--data-dir", data_dir, "--rooms-per-minute", "0", "--rooms-per-ip-minute", "0",
                      "--rooms-page-size", "1000"]
    with daemon(ctx, extra=extra) as d:
        cs = [d.client("U%d" % k).login("U%d" % k) for k in range(4)]
        busy = d.client("Busy").login("Busy")
        try:
            busy.send_line("/criar barulho")
            busy.expect(PT.created("barulho"))
            busy.send_line("/entrar barulho")
            busy.expect(PT.joined("barulho"))
            flood = threading.Thread(target=busy.send_raw,
                                     args=("".join("n%05d\n" % i for i in range(20000)).encode(),))
            flood.start()
            for i in range(25):
                for k, c in enumerate(cs):
                    c.send_line("/criar c%d-%02d" % (k, i))
            for k, c in enumerate(cs):
                for i in range(25):
                    c.expect(PT.created("c%d-%02d" % (k, i)))
            # Each shard lists rooms from its own replica, which hears of a
            # creation on another shard a moment after the creator's reply:
            # ask until all 101 are there.
            deadline = time.monotonic() + 5
            while True:
                cs[0].send_line("/salas")
                before = cs[0].read_line()
                if before.count(",") >= 100 or time.monotonic() > deadline:
                    break
                time.sleep(0.05)
            flood.join(30)
            busy.send_line("/historico 1")
            read_history(busy, 1, timeout=30)
            # Let the store catch up before the stop (see stop_after_burst for
            # what happens if it has not).
            time.sleep(2.0)
        finally:
            close_all(cs + [busy])
    with daemon(ctx, extra=extra) as d:
        c = d.client("Ana").login("Ana")
        try:
            c.send_line("/salas")
            after = c.read_line()
        finally:
            c.close()
    b = before.split(": ", 1)[1].strip().split(", ")
    a = after.split(": ", 1)[1].strip().split(", ")
    if sorted(a) != sorted(b) or len(b) != 101:
        fail("/salas before the restart had %d rooms, after %d: %r, %r" % (len(b), len(a), before, after))
    if a != b:
        moved = [i for i in range(len(b)) if a[i] != b[i]]
        i = moved[0]
        fail("/salas lists the rooms in another order after the restart: %d of %d places differ; "
             "from place %d, before: %r, after: %r" % (len(moved), len(b), i + 1, b[i:i + 5], a[i:i + 5]))


def stop_after_burst(ctx):
    """40,000 messages at once (--rate 0) in a room; as soon as a member has
    them all, SIGTERM: the daemon exits 0 and every one of them is stored
    (the store has the shutdown timeout to catch up; at ~100,000 messages/s
    it needs well under a second)."""
    data_dir = os.path.join(temp_dir("burst-"), "data")
    n = 40000
    with daemon(ctx, extra=COMMON + ["--data-dir", data_dir]) as d:
        s, r = in_room(d, "rajada", "Sol", "Rui")
        try:
            s.send_raw("".join("b%05d\n" % i for i in range(1, n + 1)).encode())
            r.expect("".join(PT.msg("Sol", "b%05d" % i) for i in range(1, n + 1)), timeout=30)
        finally:
            close_all([s, r])
    with Db(data_dir) as db:
        msgs = db.messages("rajada")
        got = check_no_holes("rajada", msgs)
    if got != n:
        fail("SIGTERM right after a burst of %d messages (all delivered): %d stored; the daemon logged: %s"
             % (n, got, [l for l in d.log_text().splitlines() if "store" in l][-3:]))


def memory_only(ctx):
    """--data-dir '': everything works in the run, nothing survives it, no file is written."""
    cwd = temp_dir("cwd-")
    old = os.getcwd()
    os.chdir(cwd)  # a stray chatd.db would land here
    try:
        with daemon(ctx, extra=COMMON + ["--data-dir", ""]) as d:
            ana = d.client("Ana").login("Ana")
            bia = d.client("Bia").login("Bia")
            cs = [ana, bia]
            try:
                ana.send_line("/criar mem")
                ana.expect(PT.created("mem"))
                ana.send_line("/entrar mem")
                ana.expect(PT.joined("mem"))
                ana.send_line("/topico efêmero")
                ana.expect(PTP.topic_changed("Ana", "mem", "efêmero"))
                for i in range(1, 4):
                    ana.send_line("M-%d" % i)
                ana.send_line("/registrar segredo")
                ana.expect(PTP.account_created("Ana"))
                bia.send_line("/entrar mem")
                bia.expect(PT.joined("mem"))
                bia.expect(PTP.topic("mem", "efêmero"))
                got = [h[2] for h in read_history(bia, 3, what="history on join, memory only")]
                if got != ["M-1", "M-2", "M-3"]:
                    fail("history on join with --data-dir '': %r" % got)
                ana.expect(PT.joined_other("Bia", "mem"))
                ana.close()
                bia.expect(PT.quit_other("Ana", "mem"))  # the nickname is free again
                a2 = login_password(d, "Ana", "segredo", wrong=["errado"], name="Ana-2")
                cs.append(a2)
                bia.send_line("/historico")
                got = [h[2] for h in read_history(bia, 3, what="/historico, memory only")]
                if got != ["M-1", "M-2", "M-3"]:
                    fail("/historico with --data-dir '': %r" % got)
            finally:
                close_all(cs)
        with daemon(ctx, extra=COMMON + ["--data-dir", ""]) as d:
            ana = d.client("Ana").login("Ana")  # no password: the account is gone
            try:
                ana.send_line("/salas")
                ana.expect(PT.rooms([]), what="/salas after a memory-only restart")
            finally:
                ana.close()
        left = os.listdir(cwd)
        if left:
            fail("--data-dir '' wrote files in the working directory: %r" % left)
    finally:
        os.chdir(old)


def main(ctx):
    checks = Checks()
    data_dir = os.path.join(temp_dir("restart-"), "data")  # created by the daemon
    sent = {"sala-a": [], "Sala B": []}
    with checks.check("first run: rooms, topics, messages, an account"):
        first_run(ctx, data_dir, sent)
    with checks.check("the database after SIGTERM has the rooms in creation order"):
        check_room_order(data_dir)
    with checks.check("the database after SIGTERM has topics, messages with their times, the account"):
        check_first_db(data_dir, sent)
        mode = os.stat(os.path.join(data_dir, "chatd.db")).st_mode & 0o777
        if mode != 0o600:
            fail("chatd.db has mode %o, want 600 (it holds password hashes)" % mode)
    if "first run: rooms, topics, messages, an account" in checks.passed:
        shift_times(data_dir, "sala-a", SHIFT_MS)
        with checks.check("second run: topic and history on join, password, numbering goes on"):
            second_run(ctx, data_dir, checks)
    with checks.check("rooms created at once from 4 connections: /salas keeps its order across a restart"):
        concurrent_creations(ctx)
    with checks.check("a clean stop right after a burst stores every message delivered"):
        stop_after_burst(ctx)
    with checks.check("--data-dir '': works, nothing survives"):
        memory_only(ctx)
    checks.finish()


if __name__ == "__main__":
    run(main)
