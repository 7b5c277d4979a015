#!/usr/bin/env python3
"""Room history: shown on join, and /history, over real TCP.

  * --history-on-join 5 after 8 messages: the joiner sees exactly the last
    5, marked 🕘 (with the UTC time), right after its confirmation and
    before any live message;
  * joins during a stream of messages (members spread over the shards):
    each joiner's history + live sequence is exactly a suffix of the room's
    order as seen by a member that was there from the start — no
    duplicates, no holes, the history part being the 5 messages just before
    the first live one;
  * /history [n]: from memory (the default 20, n, capped at
    --history-max-request 50); usage errors; an empty room's notice; with
    more messages than memory holds (the cap raised to 100 by SIGHUP while
    each room keeps 50 in memory) the older ones come from the store and
    the answer is the same, in order; and the same again after a restart on
    the same --data-dir.
"""

import os
import tempfile
import signal
import threading
import time

from chatd_harness import (Checks, arg_parser, daemon, fail, log, run, short, tmpdir)
from identity_harness import (EN, HISTORY_LINE, ShardProbe, connect, connect_on_shards, join,
                              metrics_args)

BASE = ["--auth-threads", "1", "--rate", "0"]


def minutes_now():
    """The UTC minute of the day now, and a minute ago (a line may straddle one)."""
    t = time.gmtime()
    m = t.tm_hour * 60 + t.tm_min
    return {m, (m - 1) % 1440}


def as_message(c, line, when=None):
    """'🕘 [HH:MM] [nick] text\\n' -> '[nick] text\\n' (its time checked against `when`)."""
    m = HISTORY_LINE.match(line)
    if not m:
        fail("%s: not a history line: %r" % (c.name, line))
    if when is not None and int(m.group(1)) * 60 + int(m.group(2)) not in when:
        fail("%s: history time %s:%s is not the UTC time the message was sent: %r"
             % (c.name, m.group(1), m.group(2), line))
    return "[%s] %s\n" % (m.group(3), m.group(4))


def history(c, n_lines, command, when=None):
    """Sends `command`; the answer must be exactly n_lines history lines."""
    log("%s: %s (want %d lines)" % (c.name, command, n_lines))
    c.send_line(command)
    lines = [c.read_line() for _ in range(n_lines)]
    c.expect_nothing(0.2)
    return [as_message(c, line, when) for line in lines], lines


def t_on_join(ctx, checks):
    with checks.check("--history-on-join 5 after 8 messages: exactly the last 5, marked, before live"):
        T = EN
        with daemon(ctx, lang="en", extra=BASE + ["--history-on-join", "5"]) as d:
            a = connect(d, T, "Ana")
            b = connect(d, T, "Bia")
            c = connect(d, T, "Caio")
            try:
                join(T, "R", [a, b])
                when = minutes_now()
                for i in range(1, 9):
                    a.send_line("h%d" % i)
                for i in range(1, 9):  # the room has them all
                    b.expect(T.msg("Ana", "h%d" % i))
                c.send_line("/join R")
                c.expect(T.joined("R"))
                got = [as_message(c, c.read_line(), when) for _ in range(5)]
                want = [T.msg("Ana", "h%d" % i) for i in range(4, 9)]
                if got != want:
                    fail("history on join: want %r, got %r" % (want, got))
                for x in (a, b):
                    x.expect(T.joined_other("Caio", "R"))
                c.expect_nothing(0.3)
                b.send_line("live 1")
                c.expect(T.msg("Bia", "live 1"), what="the first live message, after the history")
                a.expect(T.msg("Bia", "live 1"))
                c.expect_nothing(0.2)
                # a room without messages: nothing but the confirmation
                a.send_line("/create Empty")
                a.expect(T.created("Empty"))
                c.send_line("/join Empty")
                c.expect(T.joined("Empty"))
                c.expect_nothing(0.3)
                # leaving and coming back: the last 5 again (now h5..h8 + live 1)
                c.send_line("/join R")
                c.expect(T.joined("R"))
                got = [as_message(c, c.read_line()) for _ in range(5)]
                want = [T.msg("Ana", "h%d" % i) for i in range(5, 9)] + [T.msg("Bia", "live 1")]
                if got != want:
                    fail("history on the second join: want %r, got %r" % (want, got))
            finally:
                for x in (a, b, c):
                    x.close()


def t_join_during_stream(ctx, checks):
    with checks.check("joins during a stream: each joiner's history + live = a suffix of the room's order"):
        T = EN
        margs, mport = metrics_args()
        keep = 5
        per_sender = 300
        with daemon(ctx, lang="en", extra=BASE + margs + ["--history-on-join", str(keep)]) as d:
            probe = ShardProbe(mport)
            senders = ["S1", "S2"]
            joiners = ["J%d" % i for i in range(8)]
            cs, where = connect_on_shards(d, T, probe, ["Obs"] + senders + joiners)
            by = {c.name: c for c in cs}
            obs = by["Obs"]
            try:
                join(T, "R", [obs] + [by[s] for s in senders])
                for i in range(3):  # a little history before the stream
                    by["S1"].send_line("pre %d" % i)
                for i in range(3):
                    obs.expect(T.msg("S1", "pre %d" % i))
                errors = []

                def talk(nick):
                    try:
                        sock = by[nick].sock
                        for i in range(per_sender):
                            sock.sendall(("m %s %d\n" % (nick, i)).encode())
                            time.sleep(0.004)
                    except Exception as e:  # noqa: BLE001
                        errors.append("%s: %s" % (nick, e))

                # J0 joins before the stream (only 3 messages to show), the others one after
                # another while the messages flow
                by["J0"].send_line("/join R")
                by["J0"].expect(T.joined("R"))
                threads = [threading.Thread(target=talk, args=(s,), daemon=True) for s in senders]
                for t in threads:
                    t.start()
                for j in joiners[1:]:
                    time.sleep(0.1)
                    by[j].send_line("/join R")
                    by[j].expect(T.joined("R"))
                for t in threads:
                    t.join(30)
                if errors:
                    fail("senders: %s" % errors)
                total = 3 + per_sender * len(senders)
                # the room's order, as the member there from the start saw it
                order = [T.msg("S1", "pre %d" % i) for i in range(3)]
                while len(order) < total:
                    line = obs.read_line(10)
                    if line.startswith("📝 "):
                        continue  # the joiners' arrivals
                    order.append(line)
                for s in senders:
                    mine = [x for x in order if x.startswith("[%s] m " % s)]
                    if mine != [T.msg(s, "m %s %d" % (s, i)) for i in range(per_sender)]:
                        fail("observer: %s's messages lost, doubled or out of order" % s)
                last = order[-1]
                for j in joiners:
                    c = by[j]
                    hist, live = [], []
                    while True:
                        line = c.read_line(10)
                        if line.startswith("📝 "):
                            continue  # later joiners
                        if line.startswith("🕘 "):
                            if live:
                                fail("%s: a history line after live messages: %r" % (j, line))
                            hist.append(as_message(c, line))
                            continue
                        live.append(line)
                        if line == last:
                            break
                    p = order.index(live[0]) if live else len(order)
                    want_hist = order[max(0, p - keep):p]
                    if hist != want_hist or live != order[p:]:
                        fail("%s: history %s + %d live messages from position %d is not the room's order "
                             "(want history %s)" % (j, short(repr(hist)), len(live), p, short(repr(want_hist))))
                    log("%s (shard %d): %d history + %d live, from position %d of %d"
                        % (j, where[j], len(hist), len(live), p, total))
                    c.expect_nothing(0.05)
            finally:
                for x in cs:
                    x.close()


def reload_config(d, path, text, expect_in_log, timeout=10.0):
    with open(path, "w") as f:
        f.write(text)
    os.kill(d.pid, signal.SIGHUP)
    deadline = time.monotonic() + timeout
    while expect_in_log not in d.log_text():
        if time.monotonic() > deadline:
            fail("no %r in the log %.0f s after SIGHUP; log tail:\n%s" % (expect_in_log, timeout, d.log_tail()))
        time.sleep(0.05)


def t_history_command(ctx, checks):
    with checks.check("/history: empty room, usage, n, default 20, capped at 50; beyond memory from "
                      "the store (cap raised by SIGHUP); the same after a restart"):
        T = EN
        data = os.path.join(tmpdir(), "history-data")
        conf = os.path.join(tmpdir(), "history.conf")
        with open(conf, "w") as f:
            f.write("history-max-request = 50\n")
        extra = BASE + ["--history-on-join", "0", "--data-dir", data, "--config", conf]
        n = 80
        want = [T.msg("Ana", "n %d" % i) for i in range(n)]
        cs = []
        try:
            with daemon(ctx, lang="en", extra=extra) as d:
                a = connect(d, T, "Ana")
                b = connect(d, T, "Bia")
                cs += [a, b]
                a.send_line("/history")
                a.expect(T.needs_room)
                a.send_line("/create R")
                a.expect(T.created("R"))
                join(T, "R", [a, b], create=False)
                for cmd in ("/history", "/historico 5", "/HISTORY 1000"):
                    a.send_line(cmd)
                    a.expect(T.history_empty("R"))
                for bad in ("0", "-1", "abc", "1.5", "+3", "3 4"):
                    a.send_line("/history " + bad)
                    a.expect(T.usage_history, what="/history %s" % bad)
                when = minutes_now()
                a.send_raw("".join("n %d\n" % i for i in range(n)).encode())
                for line in want:
                    b.expect(line)
                got, _ = history(b, 3, "/history 3", when)
                if got != want[-3:]:
                    fail("/history 3: want %r, got %r" % (want[-3:], got))
                got, _ = history(a, 20, "/history", when)  # one's own messages too
                if got != want[-20:]:
                    fail("/history (default 20): want the last 20, got %s" % short(repr(got)))
                got50, raw50 = history(b, 50, "/history 50", when)
                if got50 != want[-50:]:
                    fail("/history 50: want the last 50, got %s" % short(repr(got50)))
                _, raw = history(b, 50, "/historico 500")
                if raw != raw50:
                    fail("/history 500 (capped at 50) differs from /history 50")
                # more than memory holds: each room keeps 50 in memory; allow 100 per request
                reload_config(d, conf, "history-max-request = 100\n", "history-max-request: 50 -> 100")
                # an idle shard picks the new value up after its next sleep (at most 1 s; see
                # t_reload_at_once for asking at once)
                time.sleep(1.5)
                got, raw80 = history(b, n, "/history 80")
                if got != want:
                    fail("/history 80 with 50 in memory: want all 80 in order, got %s" % short(repr(got)))
                if raw80[-50:] != raw50:
                    fail("/history 80: its newest 50 lines differ from /history 50's")
                _, raw = history(b, n, "/history 100")
                if raw != raw80:
                    fail("/history 100 (80 exist) differs from /history 80")
                for x in cs:
                    x.close()
            log("restarting on the same --data-dir")
            with daemon(ctx, lang="en", extra=extra) as d:
                c = connect(d, T, "Caio")
                cs.append(c)
                c.send_line("/join R")
                c.expect(T.joined("R"))
                c.expect_nothing(0.2)  # --history-on-join 0
                _, raw = history(c, 50, "/history 50")
                if raw != raw50:
                    fail("/history 50 after the restart differs: %s" % short(repr(raw)))
                _, raw = history(c, n, "/history 100")
                if raw != raw80:
                    fail("/history 100 after the restart differs from before")
        finally:
            for x in cs:
                x.close()


def t_reload_at_once(ctx, checks):
    # Found by this check: a shard took its snapshot of the limits before
    # napping, so the pass a client's line woke ran on the old values for up to
    # a second after SIGHUP; the reload now wakes every shard.  The older
    # messages come from the store, hence a data directory (in memory only the
    # rooms' recent lists, capped at the old value, are all the history).
    with checks.check("right after SIGHUP logged the new --history-max-request, /history uses it"):
        T = EN
        conf = os.path.join(tmpdir(), "history-at-once.conf")
        with open(conf, "w") as f:
            f.write("history-max-request = 50\n")
        data = tempfile.mkdtemp(dir=tmpdir())
        with daemon(ctx, lang="en", extra=BASE + ["--history-on-join", "0", "--config", conf, "--data-dir", data]) as d:
            a = connect(d, T, "Ana")
            b = connect(d, T, "Bia")
            try:
                join(T, "R", [a, b])
                a.send_raw("".join("n %d\n" % i for i in range(80)).encode())
                for i in range(80):
                    b.expect(T.msg("Ana", "n %d" % i))
                time.sleep(0.2)  # let the shards fall asleep
                reload_config(d, conf, "history-max-request = 100\n", "history-max-request: 50 -> 100")
                b.send_line("/history 80")
                lines = []
                deadline = time.monotonic() + 3.0
                while len(lines) < 80 and time.monotonic() < deadline:
                    if b.buf.find(b"\n") >= 0:
                        lines.append(b.read_line())
                    else:
                        b._fill(deadline)
                if len(lines) != 80:
                    fail("/history 80 sent after the reload was logged: %d lines (want 80)" % len(lines))
            finally:
                a.close()
                b.close()


def main(ctx):
    checks = Checks()
    t_on_join(ctx, checks)
    t_join_during_stream(ctx, checks)
    t_history_command(ctx, checks)
    t_reload_at_once(ctx, checks)
    checks.finish()


if __name__ == "__main__":
    run(main, arg_parser(__doc__))
