#!/usr/bin/env python3
"""/rooms at scale (issue 13): the list is paged, a big reply is not a slow
consumer, memory comes back, and room creation is capped per address.

  * 50 connections with room creation unthrottled (--rooms-per-minute 0
    --rooms-per-ip-minute 0) create 20,000 long-named rooms in a few seconds;
    then all 50 ask /salas (and four more pages) at once: every reply is one
    page (rooms-page-size, 100) with the count line, bounded in bytes, nobody
    is dropped, and the daemon's RSS a few seconds later is back near where
    it was before the spike. Filters and a page past the end say what they
    should.
  * With --max-outbuf 4K and pages of 1,000 rooms of 64 characters (a 65 KB
    reply), a prompt reader asking /salas five times at once is not dropped
    (the old rule dropped anyone whose reply passed max-outbuf); a client that
    asks a hundred times and never reads still is.
  * --rooms-per-ip-minute 5: the 6th creation from one address within a
    minute is refused, whichever of its connections asks; another address
    still creates.
"""

import socket
import threading
import time

from hostile_lib import (PT, PTX, Checks, Client, SrcClient, close_all, daemon, fail, log, raw_connect,
                         run, sanitizer_of)

CLIENTS = 50
ROOMS = 20000
PER_CLIENT = ROOMS // CLIENTS
PAD = "-" + "x" * 48  # names of 59 characters: "sala-00042" + PAD


def room(i):
    return "sala-%05d%s" % (i, PAD)


def grouped(n):
    return "{:,}".format(n).replace(",", ".")


def count_line(first, last, total, page, pages, matching="", next_cmd=None):
    s = "📝 %s-%s de %s salas%s, página %s de %s." % (
        grouped(first), grouped(last), grouped(total), matching, grouped(page), grouped(pages))
    if next_cmd:
        s += " Próxima: " + next_cmd
    return s + "\n"


def read_lines(sock, n, timeout):
    """Reads until `n` newlines came; returns the bytes (raises on EOF/timeout)."""
    buf = bytearray()
    deadline = time.monotonic() + timeout
    sock.settimeout(0.5)
    while buf.count(b"\n") < n:
        if time.monotonic() > deadline:
            fail("timed out: %d of %d lines, last %r" % (buf.count(b"\n"), n, bytes(buf[-200:])))
        try:
            data = sock.recv(1 << 20)
        except socket.timeout:
            continue
        if not data:
            fail("EOF after %d of %d lines; last %r" % (buf.count(b"\n"), n, bytes(buf[-300:])))
        buf += data
    return bytes(buf)


def settle_rss(d, seconds):
    """VmRSS after `seconds` (the shards trim at most once a second)."""
    time.sleep(seconds)
    return d.memory_kib()[0]


def check_scale(ctx, checks):
    with checks.check("20,000 rooms by 50 connections; 50 x 5 pages of /salas at once: bounded, nobody "
                      "dropped, RSS back"):
        extra = ["--rooms-per-minute", "0", "--rooms-per-ip-minute", "0", "--rate", "0"]
        with daemon(ctx, extra=extra, log_level="warn") as d:
            cs = []
            try:
                for k in range(CLIENTS):
                    cs.append(Client(d.port, name="U%02d" % k).login("U%02d" % k))
                rss_start = d.memory_kib()[0]
                t0 = time.monotonic()
                # Everyone sends its 400 /criar at once; then the answers are read.
                for k, c in enumerate(cs):
                    c.sock.sendall("".join("/criar %s\n" % room(k * PER_CLIENT + i)
                                           for i in range(PER_CLIENT)).encode())
                for c in cs:
                    got = read_lines(c.sock, PER_CLIENT, 60.0)
                    if got.count("criada com sucesso".encode()) != PER_CLIENT:
                        fail("%s: not every /criar succeeded: %r" % (c.name, got[:300]))
                dt = time.monotonic() - t0
                rss_rooms = settle_rss(d, 2.5)
                log("%d rooms created by %d connections in %.2f s; VmRSS %d KiB before, %d KiB after "
                    "(%.0f B per room)" % (ROOMS, CLIENTS, dt, rss_start, rss_rooms,
                                           (rss_rooms - rss_start) * 1024.0 / ROOMS))

                # The spike: everyone asks five pages at once, reads promptly.
                peak = [rss_rooms]
                halt = threading.Event()

                def sample():
                    while not halt.is_set():
                        try:
                            peak[0] = max(peak[0], d.memory_kib()[0])
                        except OSError:
                            return
                        halt.wait(0.02)

                sampler = threading.Thread(target=sample, daemon=True)
                sampler.start()
                pages = [1, 2, 100, 200, 201]
                for c in cs:
                    c.sock.sendall(b"/salas\n/salas 2\n/rooms 100\n/salas 200\n/salas 201\n")
                replies = []
                for c in cs:
                    replies.append(read_lines(c.sock, 2 * 4 + 1, 30.0))
                halt.set()
                sampler.join(2)
                biggest = 0
                # The 50 made their rooms at the same time: the creation order interleaves them,
                # but it is one order, the same for everyone, and the pages cut it alike.
                all_rooms = set(room(i) for i in range(ROOMS))
                first_seen = {}
                for c, got in zip(cs, replies):
                    lines = got.split(b"\n")[:-1]
                    for p in pages[:4]:
                        names, count = lines[0], lines[1]
                        lines = lines[2:]
                        biggest = max(biggest, len(names) + len(count) + 2)
                        head = "Salas disponíveis: ".encode()
                        if not names.startswith(head):
                            fail("%s: page %d: %r" % (c.name, p, names[:200]))
                        listed = names[len(head):].decode().split(", ")
                        if len(listed) != 100 or len(set(listed)) != 100 or not set(listed) <= all_rooms:
                            fail("%s: page %d: not 100 distinct rooms: %r" % (c.name, p, names[:200]))
                        if first_seen.setdefault(p, names) != names:
                            fail("%s: page %d differs from another client's" % (c.name, p))
                        want = count_line((p - 1) * 100 + 1, p * 100, ROOMS, p, 200,
                                          next_cmd=None if p == 200 else "/salas %d" % (p + 1))
                        if count.decode() + "\n" != want:
                            fail("%s: page %d: count line %r, want %r" % (c.name, p, count, want))
                    want_past = "⚠️ A página 201 não existe: 20.000 salas, 200 página(s)."
                    if lines != [want_past.encode()]:
                        fail("%s: page 201: %r" % (c.name, lines))
                log("every reply is one page: the biggest %d bytes (a page of 100 names of 64 "
                    "characters is < 27 KB)" % biggest)
                if biggest > 27 * 1024:
                    fail("a reply of %d bytes" % biggest)
                rss_after = settle_rss(d, 2.5)
                log("50 clients x 5 pages at once: VmRSS %d KiB before, peak %d KiB (+%d), %d KiB 2.5 s "
                    "later" % (rss_rooms, peak[0], peak[0] - rss_rooms, rss_after))
                san = sanitizer_of(d)
                if san:
                    log("under %s: VmRSS not checked" % san)
                elif rss_after > rss_rooms + 4096:
                    fail("VmRSS stayed %d KiB above where it was before the spike" % (rss_after - rss_rooms))

                # Filters: case-insensitive substring, counted, in creation order.
                c = cs[0]
                c.sock.sendall(b"/salas SALA-1999\n")
                got = read_lines(c.sock, 2, 10.0).decode()
                want = ("Salas disponíveis: " + ", ".join(room(i) for i in range(19990, 20000)) + "\n" +
                        count_line(1, 10, 10, 1, 1, " com 'SALA-1999'"))
                if got != want:
                    fail("filter: %r, want %r" % (got[-300:], want[-300:]))
                c.sock.sendall("/salas A-0 2\n".encode())  # sala-0xxxx: 10,000 rooms
                got = read_lines(c.sock, 2, 10.0).decode()
                names, count = got.split("\n")[:2]
                listed = names[len("Salas disponíveis: "):].split(", ")
                if len(listed) != 100 or not all(n.startswith("sala-0") and n in all_rooms for n in listed):
                    fail("filter with a page: %r" % names[:300])
                if count + "\n" != count_line(101, 200, 10000, 2, 100, " com 'A-0'", "/salas A-0 3"):
                    fail("filter with a page: count line %r" % count)
                c.sock.sendall(b"/rooms nada-disso\n")
                got = read_lines(c.sock, 2, 10.0).decode()
                if got != "Salas disponíveis: Nenhuma sala disponível.\n📝 Nenhuma sala com 'nada-disso'.\n":
                    fail("no match: %r" % got)

                for c in cs:
                    if c.sock.fileno() < 0:
                        fail("%s closed" % c.name)
                    c.sock.sendall(b"/ajuda\n")
                    if b"/ajuda" not in read_lines(c.sock, 17, 10.0):
                        fail("%s: no help after the spike (dropped?)" % c.name)
                d.assert_alive()
            finally:
                close_all(cs)


def check_big_reply(ctx, checks):
    with checks.check("--max-outbuf 4K: a prompt reader of 65 KB /salas replies is not dropped; one that "
                      "never reads is"):
        extra = ["--rooms-per-minute", "0", "--rooms-per-ip-minute", "0", "--rate", "0",
                 "--max-outbuf", "4K", "--rooms-page-size", "1000"]
        with daemon(ctx, extra=extra, log_level="info") as d:
            cs = []
            try:
                maker = Client(d.port, name="Maker").login("Maker")
                cs.append(maker)
                names = ["%04d" % i + "y" * 60 for i in range(1000)]  # 64 characters each
                maker.sock.sendall("".join("/criar %s\n" % n for n in names).encode())
                read_lines(maker.sock, 1000, 60.0)
                reader = Client(d.port, name="Leitor").login("Leitor")
                cs.append(reader)
                reader.sock.sendall(b"/salas\n" * 5)
                got = read_lines(reader.sock, 5, 20.0)
                want = ("Salas disponíveis: " + ", ".join(names) + "\n").encode()
                if got != want * 5:
                    fail("the reader got %d bytes, not five lists of 1,000 rooms: ...%r" % (len(got), got[-200:]))
                log("a prompt reader got 5 x %d bytes with --max-outbuf 4K" % len(want))
                reader.sock.sendall(b"/salas\n")
                if read_lines(reader.sock, 1, 10.0) != want:
                    fail("the reader's next /salas")

                # One that asks and never reads: over the ceiling, dropped.
                s = raw_connect(d.port, rcvbuf=4096)
                cs_raw = s
                try:
                    s.settimeout(5)
                    s.recv(100)  # the prompt
                    s.sendall(b"Mudo\n")
                    time.sleep(0.2)
                    s.sendall(b"/salas\n" * 100)
                    time.sleep(1.0)  # not reading
                    # Now it reads: what the kernel held, then the notice, then EOF.
                    s.settimeout(10)
                    got = bytearray()
                    while True:
                        data = s.recv(1 << 20)
                        if not data:
                            break
                        got += data
                    if not got.endswith(PTX.slow_consumer.encode()):
                        fail("a client that asked 100 x 65 KB and read nothing was not dropped as a slow "
                             "consumer (read %d bytes; last %r)" % (len(got), bytes(got[-120:])))
                    log("the client that did not read was dropped after %d bytes had reached its socket"
                        % len(got))
                finally:
                    cs_raw.close()
                d.assert_alive()
            finally:
                close_all(cs)


def check_per_ip(ctx, checks):
    with checks.check("--rooms-per-ip-minute 5: the 6th creation from one address is refused, across its "
                      "connections; another address still creates"):
        extra = ["--rooms-per-minute", "0", "--rooms-per-ip-minute", "5"]
        with daemon(ctx, extra=extra) as d:
            cs = []
            try:
                a = Client(d.port, name="Ana").login("Ana")
                b = Client(d.port, name="Bia").login("Bia")
                o = SrcClient(d.port, "127.0.0.2", name="Outra").login("Outra")
                cs += [a, b, o]
                for r in ("a1", "a2", "a3"):
                    a.send_line("/criar " + r)
                    a.expect(PT.created(r))
                for r in ("b1", "b2"):
                    b.send_line("/criar " + r)
                    b.expect(PT.created(r))
                b.send_line("/criar b3")
                b.expect(PTX.rooms_too_fast)
                a.send_line("/create a4")
                a.expect(PTX.rooms_too_fast)
                o.send_line("/criar o1")
                o.expect(PT.created("o1"))
                a.send_line("/salas")
                a.expect(PT.rooms(["a1", "a2", "a3", "b1", "b2", "o1"]))
            finally:
                close_all(cs)


def main(ctx):
    checks = Checks()
    check_scale(ctx, checks)
    check_big_reply(ctx, checks)
    check_per_ip(ctx, checks)
    checks.finish()


if __name__ == "__main__":
    run(main)
