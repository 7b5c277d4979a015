#!/usr/bin/env python3
"""Room order and no loss (PROTOCOL.md "Guarantees").

40 members join one room one after another; then 10 of them send 300
numbered messages each ("m <sender> <n>"), all at the same time.  Checks:
  * every member sees the join notices of the later joiners, in join order,
    before any message;
  * the 30 members that only listen see exactly the same sequence of
    3,000 messages (one total order), each sender's numbers 0..299 in order,
    none lost, none duplicated;
  * each sender sees that same sequence minus its own messages (never echoed);
  * nothing else arrives.
With --threads 4 the members are spread over the shards.
"""

import selectors
import threading
import time

from chatd_harness import (PT, Client, arg_parser, daemon, fail, log, run, short)

ROOM = "ordem"


def main(ctx):
    a = ctx.args
    members, senders, count = a.members, a.senders, a.messages
    nick = ["u%02d" % i for i in range(members)]
    with daemon(ctx, lang="pt") as d:
        cs = []
        try:
            for i in range(members):
                c = Client(d.port, name=nick[i]).login(nick[i])
                cs.append(c)
                if i == 0:
                    c.send_line("/criar " + ROOM)
                    c.expect(PT.created(ROOM))
                c.send_line("/entrar " + ROOM)
                c.expect(PT.joined(ROOM))
            log("%d members joined %r" % (members, ROOM))
            for c in cs:
                c.sock.setblocking(False)

            # per-member received lines (after its own join confirmation)
            lines = [[] for _ in range(members)]
            partial = [bytearray(c.buf) for c in cs]
            want = [count * senders - (count if i < senders else 0) for i in range(members)]
            msgs = [0] * members
            joins = [[] for _ in range(members)]
            unexpected = []

            sel = selectors.DefaultSelector()
            for i, c in enumerate(cs):
                sel.register(c.sock, selectors.EVENT_READ, i)

            def consume(i, data):
                buf = partial[i]
                buf += data
                *full, rest = bytes(buf).split(b"\n")
                partial[i] = bytearray(rest)
                for raw in full:
                    line = raw.decode("utf-8", "replace")
                    if line.startswith("["):
                        lines[i].append(line)
                        msgs[i] += 1
                    elif line.startswith("📝 ") and line.endswith(" entrou na sala '%s'." % ROOM):
                        if msgs[i]:
                            unexpected.append((i, "join notice after messages: " + line))
                        joins[i].append(line[2:line.index(" entrou")].strip())
                    else:
                        unexpected.append((i, line))

            for i in range(members):
                if partial[i]:
                    d0 = bytes(partial[i])
                    partial[i] = bytearray()
                    consume(i, d0)

            go = threading.Barrier(senders + 1, timeout=30)
            send_err = []

            def sender(i):
                try:
                    payload = [("m %s %d\n" % (nick[i], n)).encode() for n in range(count)]
                    go.wait()
                    sock = cs[i].sock
                    for k in range(0, count, 10):  # 10 lines per write, no pause
                        data = b"".join(payload[k:k + 10])
                        while data:
                            try:
                                sent = sock.send(data)
                                data = data[sent:]
                            except BlockingIOError:
                                time.sleep(0.001)
                except Exception as e:  # noqa: BLE001
                    send_err.append("%s: %s" % (nick[i], e))

            threads = [threading.Thread(target=sender, args=(i,), daemon=True) for i in range(senders)]
            for t in threads:
                t.start()
            go.wait()
            t0 = time.monotonic()
            deadline = t0 + a.timeout
            closed = set()
            while time.monotonic() < deadline and any(msgs[i] < want[i] for i in range(members)):
                for key, _ in sel.select(0.2):
                    i = key.data
                    try:
                        data = cs[i].sock.recv(65536)
                    except (BlockingIOError, InterruptedError):
                        continue
                    except ConnectionResetError:
                        data = b""
                    if not data:
                        closed.add(i)
                        sel.unregister(cs[i].sock)
                        continue
                    consume(i, data)
                if closed:
                    break
            elapsed = time.monotonic() - t0
            # anything extra (duplicates, echoes) that is still in flight
            end = time.monotonic() + 0.3
            while time.monotonic() < end:
                for key, _ in sel.select(0.05):
                    i = key.data
                    try:
                        data = cs[i].sock.recv(65536)
                    except (BlockingIOError, InterruptedError, ConnectionResetError):
                        continue
                    if data:
                        consume(i, data)
            for t in threads:
                t.join(5)
            sel.close()
            total = sum(msgs)
            log("%d deliveries in %.2f s (%.0f/s)" % (total, elapsed, total / max(elapsed, 1e-6)))
            d.assert_alive()

            errors = []
            if send_err:
                errors.append("send errors: %s" % send_err[:3])
            if closed:
                errors.append("connections closed by the server: %s" % sorted(nick[i] for i in closed))
            for i, line in unexpected[:10]:
                errors.append("%s got unexpected line %r" % (nick[i], line))
            for i in range(members):
                if joins[i] != nick[i + 1:]:
                    errors.append("%s saw joins %s, want %s" % (nick[i], joins[i], nick[i + 1:]))
                    break
            short_of = [(nick[i], msgs[i], want[i]) for i in range(members) if msgs[i] != want[i]]
            if short_of:
                errors.append("message counts (member, got, want) after %.0f s: %s"
                              % (elapsed, short_of[:8]))

            listeners = list(range(senders, members))
            ref = lines[listeners[0]] if listeners else None
            if ref is not None:
                expected_set = {"[%s] m %s %d" % (nick[s], nick[s], n)
                                for s in range(senders) for n in range(count)}
                bad = [l for l in ref if l not in expected_set]
                if bad:
                    errors.append("%s got malformed messages, e.g. %r" % (nick[listeners[0]], bad[:3]))
                if len(set(ref)) != len(ref):
                    errors.append("%s got duplicated messages" % nick[listeners[0]])
                for s in range(senders):
                    prefix = "[%s] " % nick[s]
                    seq = [int(l.rsplit(" ", 1)[1]) for l in ref if l.startswith(prefix)]
                    if seq != list(range(count)):
                        errors.append("%s saw %s's messages out of order or incomplete: %d of %d, "
                                      "first differences %s" % (
                                          nick[listeners[0]], nick[s], len(seq), count,
                                          [(k, v) for k, v in enumerate(seq) if v != k][:5]))
                for i in listeners[1:]:
                    if lines[i] != ref:
                        k = next((k for k, (x, y) in enumerate(zip(lines[i], ref)) if x != y),
                                 min(len(lines[i]), len(ref)))
                        errors.append("%s and %s disagree on the order at message %d: %r vs %r" % (
                            nick[i], nick[listeners[0]], k,
                            lines[i][k] if k < len(lines[i]) else None,
                            ref[k] if k < len(ref) else None))
                        break
                for s in range(senders):
                    own = "[%s] " % nick[s]
                    if any(l.startswith(own) for l in lines[s]):
                        errors.append("%s got its own messages echoed" % nick[s])
                    exp = [l for l in ref if not l.startswith(own)]
                    if lines[s] != exp:
                        k = next((k for k, (x, y) in enumerate(zip(lines[s], exp)) if x != y),
                                 min(len(lines[s]), len(exp)))
                        errors.append("sender %s's view differs from the listeners' order at "
                                      "message %d: %r vs %r" % (
                                          nick[s], k, lines[s][k] if k < len(lines[s]) else None,
                                          exp[k] if k < len(exp) else None))
            if errors:
                fail("room order:\n  " + "\n  ".join(errors))
            log("all %d members agree on one order of %d messages" % (members, senders * count))
        finally:
            for c in cs:
                c.close()


if __name__ == "__main__":
    p = arg_parser(__doc__)
    p.add_argument("--members", type=int, default=40)
    p.add_argument("--senders", type=int, default=10)
    p.add_argument("--messages", type=int, default=300)
    p.add_argument("--timeout", type=float, default=90.0,
                   help="seconds for all messages to arrive (flood control slows senders)")
    run(main, p)
