"""chatd nodes sharing rooms through Redis (--cluster), against a real redis-server.

Three nodes with mixed backends and shard counts (epoll 1, uring 4, epoll 2),
clients spread over them:
  * rooms created on one node appear on the others (/salas);
  * many senders in one room: every member on every node sees one identical
    order, nothing lost, nothing twice, each sender's messages in its order;
  * history on join from another node's messages;
  * nick collision across nodes; a PM across nodes;
  * accounts live in Redis: registered on one node, logged in (wrong, then
    right password) on another; /senha there, the old password refused on
    the third; a PM queued for the offline account reaches it at that
    login; its status shows in /perfil on the first node;
  * faults: redis SIGSTOPped 3 s mid-traffic, then resumed: no loss, one order
    (shorter than the reply timeout: a pause notice is not required, but one
    "paused" must have one "resumed"); SIGSTOPped past the reply timeout
    until every member heard "paused": each hears "resumed" after the gap
    fill, nothing lost unsaid;
    node B's pubsub connection killed (CLIENT KILL by the name chatd gives
    it) mid-traffic: B fills its gap, no loss; its command connection, then
    both: nothing lost without its sender told, no duplicate or reorder;
    redis restarted (no persistence) mid-traffic: members that stayed see no
    duplicate or reorder, and what was lost is said (a notice, or the sender
    told its message was not sent);
  * AOF turned on (everysec), redis killed -9 and restarted mid-traffic:
    members see no duplicate or reorder, every missing message was reported
    unsent to its sender, no loss notice (the AOF kept every room), every
    member heard "paused" (redis is restarted only then) and "resumed", and
    an account registered just before logs in after;
  * kill -9 a node: its users' quits reach the others within the lease.
Skips (77) only when redis-server cannot start.
"""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import types

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
sys.dont_write_bytecode = True

from chatd_harness import (PT, Checks, Client, Daemon, TestSkip, close_all, fail, free_port, log, run, spawn,
                           terminate, tmpdir)
from identity_harness import PT_, expect_welcome, quit_, register, to_password_prompt
from ws_raw import RawWs, frame

HASH_TIMEOUT = 20  # one Argon2id hash on a busy machine

LEASE = 3
ROOM = "sala"


class Redis:
    def __init__(self):
        self.port = free_port()
        self.dir = os.path.join(tmpdir(), "redis-%d" % self.port)
        os.makedirs(self.dir, exist_ok=True)
        self.proc = None
        self.aof = False  # started with --appendonly yes (the next start loads what it wrote)

    def start(self):
        exe = shutil.which("redis-server")
        if not exe:
            raise TestSkip("redis-server not installed (apt-get install redis-server)")
        self.proc = spawn([exe, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                           "--appendonly", "yes" if self.aof else "no", "--appendfsync", "everysec",
                           "--dir", self.dir],
                          stdout=open(os.path.join(self.dir, "log"), "ab"), stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise TestSkip("redis-server exited at start: %s" % open(os.path.join(self.dir, "log")).read()[-400:])
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise TestSkip("redis-server did not start listening")

    def stop(self):
        terminate(self.proc)

    def crash(self):
        """kill -9: no shutdown, no last fsync."""
        self.proc.kill()
        self.proc.wait()

    def cmd(self, *args):
        """One command over a fresh connection (RESP by hand: no client library needed); the reply, decoded."""
        with socket.create_connection(("127.0.0.1", self.port), 5) as s:
            s.sendall(b"".join([b"*%d\r\n" % len(args)] +
                               [b"$%d\r\n%s\r\n" % (len(a.encode()), a.encode()) for a in map(str, args)]))
            f = s.makefile("rb")
            return _resp(f)

    def kill_clients(self, node_name, which):
        """Drops node `node_name`'s `which` ("cmd" or "sub") connection: CLIENT KILL by the name chatd gives it."""
        name = "chatd-%s-%s" % (node_name, which)
        ids = [l.split(" ")[0].split("=")[1] for l in self.cmd("CLIENT", "LIST").splitlines()
               if (" name=%s " % name) in l]
        if not ids:
            fail("no Redis connection named %s" % name)
        for i in ids:
            self.cmd("CLIENT", "KILL", "ID", i)

    url = property(lambda self: "redis://127.0.0.1:%d" % self.port)


def _resp(f):
    line = f.readline().rstrip(b"\r\n")
    t, rest = line[:1], line[1:]
    if t in (b"+", b"-"):
        return rest.decode()
    if t == b":":
        return int(rest)
    if t == b"$":
        n = int(rest)
        return None if n < 0 else f.read(n + 2)[:-2].decode()
    if t == b"*":
        n = int(rest)
        return None if n < 0 else [_resp(f) for _ in range(n)]
    fail("bad RESP from redis: %r" % line)


class WebMember(RawWs):
    """A web (JSON dialect) member over a bare WebSocket: enough to log in, join a room and read its frames."""

    def __init__(self, port, nick):
        super().__init__(port)
        self.seen = []  # the types of every frame read
        self.wait_type("prompt", 10)
        self.send_line(nick)
        self.wait_type("welcome", 10)

    def send_line(self, text):
        self.send(frame(1, text.encode()))

    def wait_type(self, want, timeout):
        """Reads frames (answering pings) until one of type `want`; returns it."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                op, payload = self.read_frame(max(0.01, deadline - time.monotonic()))
            except socket.timeout:
                fail("web member: no %r frame within %d s (saw %r)" % (want, timeout, self.seen[-10:]))
            except EOFError:
                fail("web member: the server closed the connection")
            if op == 9:
                self.send(frame(10, payload))
                continue
            if op != 1:
                fail("web member: frame with opcode %d" % op)
            m = json.loads(payload.decode("utf-8"))
            self.seen.append(m.get("type"))
            if m.get("type") == want:
                return m
            if time.monotonic() > deadline:
                fail("web member: no %r frame within %d s (saw %r)" % (want, timeout, self.seen[-10:]))


def node(ctx, redis, name, backend, threads, web=False):
    nctx = types.SimpleNamespace(chatd=ctx.chatd, backend=backend, threads=threads, args=ctx.args)
    d = Daemon(nctx, extra=["--cluster", redis.url, "--node-id", name, "--cluster-lease", str(LEASE)], web=web)
    try:
        d.start()
    except TestSkip:
        if backend != "uring":
            raise
        log("io_uring unavailable: node %s on epoll" % name)
        nctx.backend = "epoll"
        d = Daemon(nctx, extra=["--cluster", redis.url, "--node-id", name, "--cluster-lease", str(LEASE)], web=web)
        d.start()
    d.name = name
    return d


def read_all(clients, got, done, timeout):
    """Reads every client into got[c] until done(c) holds for each, or `timeout` s passed; returns those still
    pending."""
    pending = {c for c in clients if not done(c)}
    deadline = time.monotonic() + timeout
    while pending and time.monotonic() < deadline:
        for c in list(pending):
            try:
                line = c.read_line(timeout=0.05)
            except Exception:
                continue
            got[c].append(line)
            if done(c):
                pending.discard(c)
    return pending


def collect(clients, want, timeout=30.0, got=None):
    """Reads every client until each has `want[c]` lines matching a message; returns their lines (after those
    already in `got`, read before)."""
    got = got if got is not None else {c: [] for c in clients}
    read_all(clients, got, lambda c: sum(1 for l in got[c] if MSG.match(l)) >= want[c], timeout)
    return got


MSG = re.compile(r"^\[(\S+)\] (m \S+ \S+)\n?$")


def wait_room(clients, room, timeout=10.0):
    for c in clients:
        deadline = time.monotonic() + timeout
        while True:
            c.send_line("/salas")
            line = c.read_line(timeout=2)
            if room in line:
                break
            if time.monotonic() > deadline:
                fail("%s never saw room %s: %r" % (c.name, room, line))
            time.sleep(0.2)


def drain(clients):
    """Reads what is waiting (notices, a PM echo) so that the next expect sees only the new."""
    for c in clients:
        try:
            while True:
                c.read_line(timeout=0.2)
        except Exception:
            pass


def join_all(clients, room):
    for c in clients:
        c.send_line("/entrar " + room)
        c.expect(PT.joined(room))
    time.sleep(1.0)
    for c in clients:  # the join notices, in whatever order
        try:
            while True:
                c.read_line(timeout=0.2)
        except Exception:
            pass


def traffic(clients, per_sender, tag, pause=None, during=None):
    """Each client sends per_sender messages 'm <nick> <tag><i>'; `during` runs midway."""
    for i in range(per_sender):
        for c in clients:
            c.send_line("m %s %s%d" % (c.name, tag, i))
        if during and i == per_sender // 2:
            during()
        if pause:
            time.sleep(pause)


def check_order(clients, got, senders, per_sender, allow_loss=False):
    seqs = {}
    for c in clients:
        msgs = [MSG.match(l).group(2) for l in got[c] if MSG.match(l)]
        if len(msgs) != len(set(msgs)):
            fail("%s saw a message twice" % c.name)
        for s in senders:
            mine = [int(m.split()[2].lstrip("abcdefghijklmnopqrstuvwxyz")) for m in msgs if m.split()[1] == s.name]
            if mine != sorted(mine):
                fail("%s saw %s's messages out of order: %s" % (c.name, s.name, mine))
        expected = sum(per_sender for s in senders if s is not c)
        if not allow_loss and len(msgs) != expected:
            fail("%s saw %d messages, not %d" % (c.name, len(msgs), expected))
        seqs[c] = msgs
    for a in clients:
        for b in clients:
            common = set(seqs[a]) & set(seqs[b])
            if [m for m in seqs[a] if m in common] != [m for m in seqs[b] if m in common]:
                fail("%s and %s saw different orders" % (a.name, b.name))
    return seqs


PAUSED = "📝 Conversa entre servidores pausada"
RESUMED = "📝 Conversa entre servidores retomada"


def read_until(clients, got, prefix, timeout):
    """Reads every client into got[c] until each has a line starting with `prefix` after its last line starting
    with the other pause notice (so a "paused" must be newer than any "resumed", and the other way round)."""
    other = RESUMED if prefix == PAUSED else PAUSED

    def done(c):
        for line in reversed(got[c]):
            if line.startswith(prefix):
                return True
            if line.startswith(other):
                return False
        return False
    pending = read_all(clients, got, done, timeout)
    if pending:
        fail("no %r within %d s for %s" % (prefix, timeout, sorted(c.name for c in pending)))


def check_pauses(clients, got, required):
    """The pause notices each member got: "paused" and "resumed" in turn, starting with "paused"; one pair per
    outage (a few at most: no storm). A "paused" still open is waited for its "resumed". `required`: the fault
    lasted past the rule's second, so each member must have had at least one pair."""
    read_until([c for c in clients if any(l.startswith(PAUSED) for l in got[c])], got, RESUMED, 60)
    pairs = 0
    for c in clients:
        seq = ["P" if l.startswith(PAUSED) else "R" for l in got[c] if l.startswith((PAUSED, RESUMED))]
        if seq != ["P", "R"] * (len(seq) // 2):
            fail("%s: pause notices out of turn: %r" % (c.name, [l for l in got[c] if l.startswith((PAUSED, RESUMED))]))
        if required and not seq:
            fail("%s heard no pause notice" % c.name)
        if len(seq) > 6:
            fail("%s: a storm of pause notices (%d)" % (c.name, len(seq)))
        pairs += len(seq) // 2
    log("pause notices: %d paused/resumed pairs over %d members" % (pairs, len(clients)))


UNSENT = "❌ Mensagem não enviada (servidores indisponíveis): "
LOST = ("não puderam ser recuperadas", "perdeu mensagens")


def check_accounted(clients, got, per_sender, tag):
    """After a fault that may cost messages: no duplicate or reorder (check_order), and every message a
    member missed was either reported unsent to its sender or is covered by a loss notice that member got."""
    seqs = check_order(clients, got, clients, per_sender, allow_loss=True)
    unsent = {c: {l[len(UNSENT):].rstrip("\n") for l in got[c] if l.startswith(UNSENT)} for c in clients}
    notices = {c: sum(1 for l in got[c] if any(w in l for w in LOST)) for c in clients}
    missed = 0
    for c in clients:
        have = set(seqs[c])
        for snd in clients:
            if snd is c:
                continue
            for i in range(per_sender):
                m = "m %s %s%d" % (snd.name, tag, i)
                if m in have or m in unsent[snd]:
                    continue
                missed += 1
                if not notices[c]:
                    fail("%s missed %r without a word (its sender was not told either)" % (c.name, m))
    log("%s: %d unsent (told to their senders), %d missed under a notice, %d notices" %
        (tag, sum(len(v) for v in unsent.values()), missed, sum(notices.values())))
    return seqs, unsent, notices


def main(ctx):
    redis = Redis()
    redis.start()
    checks = Checks()
    a = node(ctx, redis, "A", "epoll", 1, web=True)
    b = node(ctx, redis, "B", "uring", 4)
    c = node(ctx, redis, "C", "epoll", 2)
    nodes = [a, b, c]
    members = []
    for d in nodes:
        for k in range(2):
            members.append(Client(d.port, name="%s%d" % (d.name.lower(), k)).login("%s%d" % (d.name.lower(), k)))

    with checks.check("a room created on one node is listed on every node"):
        members[0].send_line("/criar " + ROOM)
        members[0].expect(PT.created(ROOM))
        wait_room(members, ROOM)
        join_all(members, ROOM)

    with checks.check("many senders, three nodes: one order, no loss, no duplicate"):
        traffic(members, 40, "x")
        got = collect(members, {m: 40 * (len(members) - 1) for m in members})
        check_order(members, got, members, 40)

    with checks.check("history on join comes from other nodes' messages"):
        members[0].send_line("m %s last" % members[0].name)  # said on node A
        for m in members[1:]:
            m.expect(PT.msg(members[0].name, "m %s last" % members[0].name), timeout=10)
        late = Client(c.port, name="late").login("late")
        late.send_line("/entrar " + ROOM)
        late.expect(PT.joined(ROOM))
        text = ""
        deadline = time.monotonic() + 5
        want = "m %s last" % members[0].name
        while want not in text and time.monotonic() < deadline:
            try:
                text += late.read_line(timeout=0.5)
            except Exception:
                pass
        if want not in text:
            fail("history on node C lacks node A's last message: %r" % text[-400:])
        for m in members:
            m.expect(PT.joined_other("late", ROOM))
        late.close()
        for m in members:
            m.expect(PT.quit_other("late", ROOM))

    with checks.check("a nickname held on one node is taken on the others"):
        dup = Client(b.port, name="dup")
        dup.expect_prompt()
        dup.send_line(members[0].name)
        dup.expect_line_prefix("⚠️")
        dup.close()

    with checks.check("a private message across nodes"):
        drain([members[0], members[5]])
        members[0].send_line("/msg %s psst" % members[5].name)
        members[5].expect(PT_.pm_from(members[0].name, "psst"), timeout=10)
        members[0].expect(PT_.pm_to(members[5].name, "psst"), timeout=10)

    with checks.check("an account registered on one node logs in on the others"):
        T = PT_
        acct = register(a, T, "Conta", "um1", timeout=HASH_TIMEOUT)
        quit_(acct, T)
        # node B: a wrong password, then the right one
        acct = to_password_prompt(b, T, "Conta")
        acct.send_line("errada")
        acct.expect(T.wrong_password + T.password_prompt("Conta"), timeout=HASH_TIMEOUT)
        acct.send_line("um1")
        acct.expect(T.identified("Conta"), timeout=HASH_TIMEOUT)
        expect_welcome(acct, T, "Conta")
        # one login per account across nodes: node C says it is in use
        again = Client(c.port, name="again")
        again.expect(T.prompt)
        again.send_line("Conta")
        again.expect(T.nick_taken("Conta") + T.prompt, timeout=10)
        again.close()
        acct.send_line("/senha um1 dois2")
        acct.expect(T.password_changed, timeout=HASH_TIMEOUT)
        quit_(acct, T)
        # offline: a PM from node A is queued for it
        drain(members[:2])
        members[0].send_line("/msg Conta guardada")
        members[0].expect(T.pm_queued("Conta"), timeout=10)
        # node C: the old password is refused, the new one works; the PM waits there
        acct = to_password_prompt(c, T, "Conta")
        acct.send_line("um1")
        acct.expect(T.wrong_password + T.password_prompt("Conta"), timeout=HASH_TIMEOUT)
        acct.send_line("dois2")
        acct.expect(T.identified("Conta"), timeout=HASH_TIMEOUT)
        expect_welcome(acct, T, "Conta")
        acct.expect(T.pm_from(members[0].name, "guardada"), timeout=10)
        acct.send_line("/status ocupado")
        acct.expect(T.status_set("ocupado"))
        # node A reads it from Redis. The status is written there by node C after "status set" was said,
        # over C's own connection: A's read may come first, so ask again until it shows (or 15 s).
        deadline = time.monotonic() + 15
        while True:
            members[1].send_line("/perfil Conta")
            while True:
                line = members[1].read_line(timeout=5)
                if line.startswith("👤 Conta"):
                    break
                if time.monotonic() > deadline:
                    fail("no /perfil answer on node A")
            if ("registrado desde" in line and "status: ocupado" in line) or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        if "registrado desde" not in line or "status: ocupado" not in line:
            fail("/perfil on node A: %r" % line)
        quit_(acct, T)

    with checks.check("redis stopped 3 s mid-traffic: no loss, one order"):
        def stop():
            os.kill(redis.proc.pid, signal.SIGSTOP)
            time.sleep(3)
            os.kill(redis.proc.pid, signal.SIGCONT)
        traffic(members, 20, "s", during=stop)
        got = collect(members, {m: 20 * (len(members) - 1) for m in members}, timeout=40)
        check_order(members, got, members, 20)
        # Shorter than the 5 s reply timeout: no connection drops, so the rule tells nobody — unless a
        # loaded machine stretched it past that; then a "paused" must have its "resumed".
        check_pauses(members, got, required=False)

    with checks.check("redis stopped past the reply timeout mid-traffic: paused, then resumed; nothing lost unsaid"):
        web = WebMember(a.web_port, "web")  # node A's web member: the JSON dialect's notices
        web.send_line("/entrar " + ROOM)
        web.wait_type("joined", 10)
        drain(members)
        got = {m: [] for m in members}

        def long_stop():
            os.kill(redis.proc.pid, signal.SIGSTOP)
            try:  # stopped until every member, on every node, has heard that chat across servers paused
                read_until(members, got, PAUSED, 60)
                if web.wait_type("cluster_paused", 60) != {"type": "cluster_paused", "room": ROOM}:
                    fail("web member: %r" % web.seen[-1])
            finally:
                os.kill(redis.proc.pid, signal.SIGCONT)
        traffic(members, 20, "t", pause=0.02, during=long_stop)
        got = collect(members, {m: 20 * (len(members) - 1) for m in members}, timeout=30, got=got)
        read_until(members, got, RESUMED, 60)
        if web.wait_type("cluster_resumed", 60) != {"type": "cluster_resumed", "room": ROOM}:
            fail("web member: %r" % web.seen[-1])
        if [t for t in web.seen if t.startswith("cluster_")] != ["cluster_paused", "cluster_resumed"]:
            fail("web member's notices: %r" % [t for t in web.seen if t.startswith("cluster_")])
        web.close()
        seqs, unsent, notices = check_accounted(members, got, 20, "t")
        if sum(notices.values()):
            fail("a stopped Redis lost room data: %r" % {c.name: n for c, n in notices.items()})
        check_pauses(members, got, required=True)

    with checks.check("node B's pubsub link dropped mid-traffic (CLIENT KILL): it fills its gap"):
        drain(members)
        traffic(members, 30, "p", pause=0.01, during=lambda: redis.kill_clients("B", "sub"))
        got = collect(members, {m: 30 * (len(members) - 1) for m in members}, timeout=30)
        check_order(members, got, members, 30)
        check_pauses(members, got, required=False)  # it reconnects at once: a blip, normally unsaid

    with checks.check("node B's command link dropped mid-traffic: no loss unsaid, no duplicate or reorder"):
        drain(members)
        traffic(members, 30, "k", pause=0.01, during=lambda: redis.kill_clients("B", "cmd"))
        got = collect(members, {m: 30 * (len(members) - 1) for m in members}, timeout=15)
        check_accounted(members, got, 30, "k")
        check_pauses(members, got, required=False)

    with checks.check("both of node B's links dropped, twice, mid-traffic: gaps filled"):
        drain(members)

        def both():
            redis.kill_clients("B", "sub")
            redis.kill_clients("B", "cmd")
            time.sleep(0.3)
            redis.kill_clients("B", "sub")
        traffic(members, 30, "d", pause=0.01, during=both)
        got = collect(members, {m: 30 * (len(members) - 1) for m in members}, timeout=15)
        seqs, unsent, notices = check_accounted(members, got, 30, "d")
        if sum(notices.values()):
            fail("a dropped link cost messages on Redis's side: %r" % notices)
        check_pauses(members, got, required=False)

    with checks.check("redis restarted mid-traffic: no duplicate or reorder; losses are said"):
        def restart():
            redis.stop()
            time.sleep(0.5)
            redis.start()
        traffic(members, 20, "r", pause=0.02, during=restart)
        got = collect(members, {m: 20 * (len(members) - 1) for m in members}, timeout=20)
        seqs = check_order(members, got, members, 20, allow_loss=True)
        total = sum(len(v) for v in seqs.values())
        said = sum(1 for m in members for l in got[m] if "não" in l or "perdeu" in l)
        log("after the restart: %d deliveries, %d notices or failures" % (total, said))
        if total < 20 * (len(members) - 1) * len(members) and said == 0:
            fail("messages were lost without a word")
        check_pauses(members, got, required=False)
        # Chat works again, through the new Redis.
        wait_room(members[:1], ROOM)
        members[2].send_line("m %s after" % members[2].name)
        members[0].expect(PT.msg(members[2].name, "m %s after" % members[2].name), timeout=10)

    with checks.check("redis with AOF killed (-9) and restarted mid-traffic: nothing lost unsaid"):
        # AOF from now on, as an operator would turn it on (a rewrite of what is there).
        redis.cmd("CONFIG", "SET", "appendfsync", "everysec")
        redis.cmd("CONFIG", "SET", "appendonly", "yes")
        redis.aof = True
        deadline = time.monotonic() + 20
        while "aof_rewrite_in_progress:0" not in redis.cmd("INFO", "persistence") or \
                "aof_enabled:1" not in redis.cmd("INFO", "persistence"):
            if time.monotonic() > deadline:
                fail("redis never finished its AOF rewrite")
            time.sleep(0.1)
        # an account made now (the restart without persistence above lost the first one)
        acct = register(b, PT_, "Duravel", "tres3", timeout=HASH_TIMEOUT)
        quit_(acct, PT_)
        time.sleep(1.5)
        drain(members)

        got = {m: [] for m in members}

        def crash():
            redis.crash()
            try:  # down until every member has heard that chat across servers paused
                read_until(members, got, PAUSED, 60)
            finally:
                redis.start()
        traffic(members, 30, "a", pause=0.02, during=crash)
        got = collect(members, {m: 30 * (len(members) - 1) for m in members}, timeout=20, got=got)
        read_until(members, got, RESUMED, 60)
        seqs, unsent, notices = check_accounted(members, got, 30, "a")
        if sum(notices.values()):
            fail("Redis with AOF lost room data in a process crash: %r" % {c.name: n for c, n in notices.items()})
        check_pauses(members, got, required=True)
        # the account registered before the crash is still there (AOF kept it): it logs in on another node
        acct = to_password_prompt(a, PT_, "Duravel")
        acct.send_line("tres3")
        acct.expect(PT_.identified("Duravel"), timeout=HASH_TIMEOUT)
        expect_welcome(acct, PT_, "Duravel")
        quit_(acct, PT_)

    with checks.check("kill -9 a node: its users' quits within the lease"):
        for m in members:  # what is left of the last check
            try:
                while True:
                    m.read_line(timeout=0.2)
            except Exception:
                pass
        os.kill(c.proc.pid, signal.SIGKILL)
        t0 = time.monotonic()
        for gone in members[4:]:
            members[0].expect(PT.quit_other(gone.name, ROOM), timeout=LEASE + 4)
        log("quits after %.1f s (lease %d s)" % (time.monotonic() - t0, LEASE))

    close_all(members)
    for d in (a, b):
        d.assert_alive()
    checks.finish()


if __name__ == "__main__":
    run(main)
