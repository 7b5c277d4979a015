#!/usr/bin/env python3
"""/metrics scraped with a plain HTTP client after a scripted session, every
counter checked exactly:
  A, B, C connect; A and B register; C never does.
  A creates 'lobby' and joins it (nobody to notify: 0 deliveries).
  B joins: A gets "bob joined" (1 delivery).
  A sends 3 messages, B sends 2: messages_in 5, deliveries +5 (no echo).
  B leaves: A gets "bob left" (1 delivery).
  -> connections 3, accepted 3, refused 0, rooms 1, messages_in 5,
     deliveries 7, bytes in/out = exactly what the clients sent/received.
Also: 404 elsewhere, HEAD, 405 for POST, one series per shard, backend info.
"""
from svc_common import Client, Daemon, check, run, PROMPT_EN, TestFailure
import re
import socket
import time


def http(addr, request):
    host, port = addr.rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=5) as s:
        s.sendall(request.encode())
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status = head.split(b"\r\n")[0].decode()
    return status, head.decode(), body.decode()


def scrape(addr):
    status, head, body = http(addr, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
    check(status == "HTTP/1.1 200 OK", "GET /metrics: %s" % status)
    check("text/plain; version=0.0.4" in head, "content type: %s" % head)
    m = re.search(r"Content-Length: (\d+)", head)
    check(m and int(m.group(1)) == len(body.encode()), "Content-Length does not match the body")
    values = {}
    for line in body.splitlines():
        if not line or line.startswith("#"):
            continue
        name, value = line.rsplit(" ", 1)
        values[name] = float(value)
    return values, body


def main(ctx):
    d = Daemon(ctx, ["--config", ctx.empty_config(), "--listen", "127.0.0.1:0", "--metrics", "127.0.0.1:0"]
               + ctx.daemon_args())
    port = d.port()
    addr = d.wait_log(r"metrics on http://([\d.]+:\d+)/metrics").group(1)

    a, b, c = Client(port), Client(port), Client(port)
    a.register("alice")
    b.register("bob")
    c.read_until(PROMPT_EN)
    a.send("/create lobby\n")
    a.read_until("✅ Room 'lobby' created.\n")
    a.send("/join lobby\n")
    a.read_until("✅ You joined room 'lobby'.\n")
    b.send("/join lobby\n")
    b.read_until("✅ You joined room 'lobby'.\n")
    a.read_until("📝 bob joined room 'lobby'.\n")
    for i in range(3):
        a.send("from alice %d\n" % i)
    for i in range(2):
        b.send("from bob %d\n" % i)
    for i in range(3):
        b.read_until("[alice] from alice %d\n" % i)
    for i in range(2):
        a.read_until("[bob] from bob %d\n" % i)
    b.send("/leave\n")
    b.read_until("🔹 You left the room.\n")
    a.read_until("📝 bob left room 'lobby'.\n")
    a.sync()
    b.sync()

    expect = {
        "chatd_connections": 3,
        "chatd_connections_accepted_total": 3,
        "chatd_connections_refused_total": 0,
        "chatd_rooms": 1,
        "chatd_messages_in_total": 5,
        "chatd_deliveries_total": 7,
        "chatd_slow_consumer_disconnects_total": 0,
        "chatd_limit_disconnects_total": 0,
        "chatd_bytes_in_total": a.sent + b.sent + c.sent,
        "chatd_bytes_out_total": a.received + b.received + c.received,
        'chatd_backend_info{backend="%s"}' % ("io_uring" if ctx.args.backend == "uring" else "epoll"): 1,
        "chatd_shards": ctx.args.threads,
    }
    # Byte counters are bumped right after the send the client already saw:
    # allow them a moment to settle, then require exact values.
    deadline = time.monotonic() + 3
    while True:
        values, body = scrape(addr)
        wrong = {k: (values.get(k), v) for k, v in expect.items() if values.get(k) != v}
        if not wrong:
            break
        if time.monotonic() > deadline:
            raise TestFailure("metrics differ (got, want): %r\n%s" % (wrong, body))
        time.sleep(0.05)
    for name in ("chatd_shard_loop_iterations_total", "chatd_shard_queue_depth", "chatd_shard_connections"):
        series = [k for k in values if k.startswith(name + "{")]
        check(len(series) == ctx.args.threads, "%s: %d series for %d shards" % (name, len(series),
                                                                                ctx.args.threads))
    check(sum(v for k, v in values.items() if k.startswith("chatd_shard_connections{")) == 3,
          "per-shard connections do not add up to 3")
    check(sum(v for k, v in values.items() if k.startswith("chatd_shard_deliveries_total{")) == 7,
          "per-shard deliveries do not add up to 7")
    check(all(values[k] > 0 for k in values if k.startswith("chatd_shard_loop_iterations_total{")),
          "a shard reports no loop iterations")
    print("exact: " + ", ".join("%s=%g" % (k, v) for k, v in sorted(expect.items())))

    status, _, body = http(addr, "GET / HTTP/1.0\r\n\r\n")
    check(status.startswith("HTTP/1.1 404"), "GET /: %s" % status)
    status, head, body = http(addr, "HEAD /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
    check(status == "HTTP/1.1 200 OK" and body == "", "HEAD /metrics: %s, %d body bytes" % (status, len(body)))
    status, _, _ = http(addr, "POST /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n")
    check(status.startswith("HTTP/1.1 405"), "POST: %s" % status)
    status, _, _ = http(addr, "garbage\r\n\r\n")
    check(status.startswith("HTTP/1.1 400"), "garbage: %s" % status)
    # A scraper that connects and says nothing does not block the next one.
    idle = socket.create_connection(tuple([addr.rsplit(":", 1)[0], int(addr.rsplit(":", 1)[1])]))
    values, _ = scrape(addr)
    idle.close()
    print("404 / HEAD / 405 / 400 and an idle scraper: fine")

    d.signal(15)
    check(d.wait(15) == 0, "exit status not 0")


if __name__ == "__main__":
    run(main, timeout=60)
