#!/usr/bin/env python3
"""Slow consumer: a member that stops reading in a busy room is disconnected (--max-outbuf 256K).

Room "busy": 4 senders send 5,000 messages of ~1 KB each (--rate 0: this is
about output, not flood control), two readers read everything, and one
member stops reading after joining.  Checks:
  * the stuck member is disconnected while the room is still busy: the
    readers see its departure before the last message; it then reads again
    at once (well within the daemon's 5 s linger) and must get whole room
    lines, then the slow-consumer notice on a line of its own, then EOF --
    never bytes that are not the room's;
  * the readers receive exactly what they would have anyway: every sender's
    5,000 messages in order, the same total order at both, and nothing else
    but that one departure notice;
  * the daemon's memory stays bounded: VmRSS (sampled every 50 ms) grows far
    less than the ~20 MB the stuck member would otherwise have queued.
"""

import sys
import threading
import time

from hostile_lib import (PT, PTX, Checks, Client, close_all, daemon, fail, log,
                         msg_bytes, reader_of, run, sanitizer_of)

SENDERS = 4
PER_SENDER = 5000
PAD = "." * 1000
ROOM = "busy"


def payload(k, i):
    return "s%d %05d %s" % (k, i, PAD)


class RssSampler(threading.Thread):
    def __init__(self, d):
        super().__init__(daemon=True)
        self.d = d
        self.samples = []
        self.halt = threading.Event()

    def run(self):
        while not self.halt.is_set():
            try:
                self.samples.append(self.d.memory_kib()[0])
            except OSError:
                return
            self.halt.wait(0.05)


def main(ctx):
    sys.setswitchinterval(0.0005)  # readers get the GIL promptly
    checks = Checks()
    with checks.check("a member that stops reading is dropped; others unaffected; memory bounded"):
        with daemon(ctx, extra=["--max-outbuf", "256K", "--rate", "0", "--io-buffers", "64"], log_level="info") as d:
            cs = []
            try:
                names = ["S%d" % k for k in range(SENDERS)] + ["R0", "R1"]
                for n in names:
                    cs.append(Client(d.port, name=n).login(n))
                stuck = Client(d.port, name="Lerdo")
                cs.append(stuck)
                stuck.login("Lerdo")
                cs[0].send_line("/criar " + ROOM)
                cs[0].expect(PT.created(ROOM))
                members = cs[:]  # senders, readers, then the stuck one
                for i, c in enumerate(members):
                    c.send_line("/entrar " + ROOM)
                    c.expect(PT.joined(ROOM))
                    for prev in members[:i]:
                        prev.expect(PT.joined_other(c.name, ROOM))
                senders, readers = cs[:SENDERS], cs[SENDERS:SENDERS + 2]
                # senders must read too (they get the others' messages)
                sreaders = [reader_of(c) for c in senders]
                rreaders = [reader_of(c) for c in readers]
                time.sleep(0.2)
                rss0 = d.memory_kib()[0]
                sampler = RssSampler(d)
                sampler.start()

                errors = []

                def send_all(k, c):
                    try:
                        # ~1 MB/s per sender: busy, yet slow enough for the readers (Python
                        # threads) to stay within 256K of the stream.
                        for base in range(0, PER_SENDER, 10):
                            c.sock.sendall("".join(payload(k, i) + "\n" for i in range(base, base + 10))
                                           .encode())
                            time.sleep(0.01)
                    except OSError as e:
                        errors.append("%s: %s" % (c.name, e))

                t0 = time.monotonic()
                ths = [threading.Thread(target=send_all, args=(k, c), daemon=True)
                       for k, c in enumerate(senders)]
                for th in ths:
                    th.start()
                total = SENDERS * PER_SENDER
                quit_line = PT.quit_other("Lerdo", ROOM).encode()[:-1]
                # As soon as the room is told the stuck member left, it starts reading
                # again (well within the daemon's 5 s linger): it must then get whole
                # lines, the slow-consumer notice, and EOF.
                if rreaders[0].wait_line(quit_line, 60.0) is None:
                    r0 = rreaders[0]
                    fail("the stuck member was not dropped (R0 got %d lines; eof=%s reset=%s error=%r; "
                         "last %r)" % (len(r0.lines), r0.eof, r0.reset, r0.error,
                                       r0.lines[-1][1][:120] if r0.lines else None))
                t_drop = time.monotonic() - t0
                stuck.sock.settimeout(10)
                rs = reader_of(stuck)
                for r in rreaders:
                    if not r.wait_count(total, 120.0, match=lambda ln: ln.startswith(b"[S")):
                        fail("%s got %d of %d messages within 120 s (eof=%s, last line %r)"
                             % (r.name, sum(1 for _, ln in r.lines if ln.startswith(b"[S")), total, r.eof,
                                r.lines[-1][1][-120:] if r.lines else None))
                dt = time.monotonic() - t0
                for th in ths:
                    th.join(10)
                if errors:
                    fail("senders failed: %s" % errors)
                time.sleep(0.3)
                sampler.halt.set()
                sampler.join(2)
                peak = max(sampler.samples)
                mb = total * (len(PAD) + 20) / 1e6
                log("%d messages (%.0f MB) to the room in %.1f s; chatd VmRSS before %d KiB, peak %d KiB "
                    "(+%d KiB), after %d KiB" % (total, mb, dt, rss0, peak, peak - rss0, sampler.samples[-1]))

                log("the stuck member was dropped %.2f s into the flood" % t_drop)
                seqs = []
                for r in rreaders:
                    lines = [ln for _, ln in r.lines]
                    if r.eof:
                        fail("%s was disconnected (a reader that keeps reading)" % r.name)
                    others = [ln for ln in lines if not ln.startswith(b"[S")]
                    if others != [quit_line]:
                        fail("%s: besides the messages, want exactly the departure %r; got %r"
                             % (r.name, quit_line, others[:5]))
                    pos = lines.index(quit_line)
                    log("%s: the stuck member's departure came after %d of %d messages"
                        % (r.name, pos, total))
                    if pos >= total:
                        fail("%s: the stuck member was only dropped after the room went quiet" % r.name)
                    for k in range(SENDERS):
                        mine = [ln for ln in lines if ln.startswith(b"[S%d] " % k)]
                        want = [msg_bytes("S%d" % k, payload(k, i)) for i in range(PER_SENDER)]
                        if mine != want:
                            fail("%s: sender S%d's messages not exactly delivered in order (%d of %d)"
                                 % (r.name, k, len(mine), len(want)))
                    seqs.append(lines)
                if seqs[0] != seqs[1]:
                    fail("the two readers saw different orders")
                for k, r in enumerate(sreaders):
                    lines = [ln for _, ln in r.lines]
                    if len([ln for ln in lines if ln.startswith(b"[S")]) != total - PER_SENDER or r.eof:
                        fail("sender S%d did not receive the others' messages exactly" % k)

                problems = []
                growth = peak - rss0
                san = sanitizer_of(d)
                if san:
                    log("chatd runs under %s: its VmRSS is not checked (the runtime keeps freed "
                        "memory)" % san)
                elif growth > 12 * 1024:
                    problems.append("chatd's VmRSS grew by %d KiB during the flood (bound 12 MiB; the "
                                    "stuck member alone would have held ~%.0f MB)" % (growth, mb))
                if not rs.wait_eof(20.0):
                    fail("the stuck member's connection is still open")
                lines = [ln for _, ln in rs.lines]
                notice = PTX.slow_consumer.encode()[:-1]
                log("the stuck member read %d bytes, %d lines, then eof=%s reset=%s; last %r"
                    % (rs.bytes, len(lines), rs.eof, rs.reset, lines[-1][:80] if lines else None))
                room_lines = set(seqs[0])
                bad = [ln for ln in lines if ln not in room_lines and not ln.endswith(notice)]
                if bad:
                    odd = [ln for ln in bad if ln.strip(b".")[:1] != b"["] or bad
                    problems.append("the stuck member got %d line(s) that are not the room's, e.g. %r"
                                    % (len(bad), odd[0][:200]))
                if not lines or lines[-1] != notice or rs.partial:
                    tail = lines[-1] if lines else b""
                    if tail.endswith(notice):
                        problems.append("the slow-consumer notice is glued to a partly sent line: ...%r"
                                        % tail[-(len(notice) + 60):])
                    else:
                        problems.append("the stuck member's last line must be the slow-consumer notice, "
                                        "got ...%r and then %d bytes without newline: ...%r"
                                        % (tail[-100:], len(rs.partial), bytes(rs.partial[-150:])))
                if problems:
                    fail("; ".join(problems))
                d.assert_alive()
                for r in sreaders + rreaders:
                    r.stop()
            finally:
                close_all(cs)
    checks.finish()


if __name__ == "__main__":
    run(main)
