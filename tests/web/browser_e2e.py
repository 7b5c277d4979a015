"""The web chat in a real browser: chatd with --web, Debian's chromium driven
by playwright-core (e2e.mjs), and a real `nc` user in the same room.

    browser_e2e.py --chatd build/src/chatd --backend epoll --threads 4 --work-dir DIR

This script owns the processes: it starts chatd (and restarts it on the same
ports with the same --data-dir), runs the nc user through its stdin/stdout,
and runs `node e2e.mjs`, which asks for those steps over a pipe ("@@ {json}"
lines on its stdout, one JSON reply per line on its stdin). Everything it
started is killed by PID at the end.

Exit 77 (skip), saying why, when node/npm are missing, the npm packages
cannot be installed (no registry), chromium is missing or does not start, or
nc is missing. Screenshots go to --artifacts (default WORK_DIR/artifacts, or
$CHATD_WEB_ARTIFACTS).
"""

import json
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

from chatd_harness import (  # noqa: E402
    HOST, Daemon, TestSkip, arg_parser, fail, log, require_tool, run, spawn, terminate, tmpdir,
    welcome_pt, PROMPT_PT, PT)

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
NODE_TIMEOUT = 230  # seconds for the whole browser run (the meson timeout is 300)
PACKAGES = ("playwright-core", "axe-core")


# --- node packages ------------------------------------------------------------

def _locked_versions(lock_path):
    with open(lock_path) as f:
        lock = json.load(f)
    return {p: lock["packages"]["node_modules/" + p]["version"] for p in PACKAGES}


def _installed_ok(folder, want):
    for p, version in want.items():
        try:
            with open(os.path.join(folder, "node_modules", p, "package.json")) as f:
                if json.load(f).get("version") != version:
                    return False
        except (OSError, ValueError):
            return False
    return True


def node_folder(work_dir):
    """A folder holding e2e.mjs next to node_modules with the locked packages.

    tests/web itself when someone ran `npm install` there; otherwise a copy
    under the build dir, filled by `npm ci` (once: reused while it matches
    the lockfile)."""
    want = _locked_versions(os.path.join(HERE, "package-lock.json"))
    if _installed_ok(HERE, want):
        return HERE
    copy = os.path.join(work_dir, "node")
    os.makedirs(copy, exist_ok=True)
    for name in ("package.json", "package-lock.json", "e2e.mjs"):
        shutil.copyfile(os.path.join(HERE, name), os.path.join(copy, name))
    if _installed_ok(copy, want):
        return copy
    npm = require_tool("npm")
    log("installing %s with npm ci in %s" % (", ".join("%s@%s" % kv for kv in want.items()), copy))
    try:
        r = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=copy, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=240)
    except subprocess.TimeoutExpired:
        raise TestSkip("npm ci took over 240 s (no access to the npm registry?)")
    if r.returncode != 0 or not _installed_ok(copy, want):
        raise TestSkip("npm ci could not install the test's packages (no access to the npm registry?): %s"
                       % r.stdout.decode("utf-8", "replace").strip()[-600:])
    return copy


def check_chromium():
    if not os.access(CHROMIUM, os.X_OK):
        raise TestSkip("%s is not installed (apt-get install chromium)" % CHROMIUM)
    argv = [CHROMIUM, "--headless", "--disable-gpu", "--no-first-run", "--dump-dom",
            "data:text/html,<p>chromium-ok</p>"]
    if os.getuid() == 0:
        argv.insert(1, "--no-sandbox")
    try:
        r = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=60, start_new_session=True)
    except subprocess.TimeoutExpired:
        raise TestSkip("%s --headless did not finish within 60 s" % CHROMIUM)
    if b"chromium-ok" not in r.stdout:
        raise TestSkip("%s --headless does not start (status %d): %s"
                       % (CHROMIUM, r.returncode, r.stderr.decode("utf-8", "replace").strip()[-600:]))


# --- the daemon, restartable on the same ports --------------------------------

class WebDaemon(Daemon):
    """chatd with --web (the harness picks its port) and a --data-dir, restartable."""

    def __init__(self, ctx):
        self.data_dir = os.path.join(tmpdir(), "data")
        os.makedirs(self.data_dir, exist_ok=True)
        super().__init__(ctx, extra=["--data-dir", self.data_dir], web=True)

    @property
    def url(self):
        return "http://%s:%d/" % (HOST, self.web_port)

    def wait_web(self, timeout=10.0):
        deadline = time.monotonic() + timeout
        while True:
            self.assert_alive("while starting its web listener")
            try:
                with urllib.request.urlopen(self.url + "healthz", timeout=1) as r:
                    if r.status == 200:
                        return
            except OSError:
                pass
            if time.monotonic() > deadline:
                fail("chatd's web listener did not answer /healthz within %.0f s; log:\n%s"
                     % (timeout, self.log_tail()))
            time.sleep(0.05)

    def restart(self, down_seconds):
        """Ends chatd by its PID (SIGTERM, as systemd would), waits, starts it
        again on the same two ports with the same data directory."""
        rc = terminate(self.proc, 10.0)
        log("chatd pid %d ended (status %s); down for %.1f s" % (self.proc.pid, rc, down_seconds))
        time.sleep(down_seconds)
        for attempt in range(20):
            self.logpath = os.path.join(tmpdir(), "chatd-restart-%d.log" % attempt)
            with open(self.logpath, "wb") as logf:
                self.proc = spawn(self.argv(self.port), stdin=subprocess.DEVNULL, stdout=logf, stderr=logf)
            deadline = time.monotonic() + 10
            while self.proc.poll() is None and time.monotonic() < deadline:
                try:
                    with urllib.request.urlopen(self.url + "healthz", timeout=1):
                        log("chatd pid %d back on ports %d and %d" % (self.proc.pid, self.port, self.web_port))
                        return
                except OSError:
                    time.sleep(0.05)
            if self.proc.poll() is None:
                fail("restarted chatd did not answer; log:\n%s" % self.log_tail())
            log("restart attempt %d: chatd exited: %s" % (attempt, self.log_tail(3)))
            time.sleep(0.25)  # a port still held: try again
        fail("chatd could not be restarted on the same ports")


# --- the nc user ----------------------------------------------------------------

CHAT_LINE = re.compile(r"^\[([^\]]+)\] (.*)$")


class NcUser:
    """One `nc` process; a thread collects what it prints."""

    def __init__(self, port, nick):
        self.nick = nick
        self.proc = spawn([require_tool("nc"), HOST, str(port)], stdin=subprocess.PIPE,
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, bufsize=0)
        self.text = ""
        self.cond = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        fd = self.proc.stdout.fileno()
        pending = b""
        while True:
            try:
                data = os.read(fd, 65536)
            except OSError:
                data = b""
            if not data:
                with self.cond:
                    self.cond.notify_all()
                return
            pending += data
            try:
                chunk = pending.decode("utf-8")
                pending = b""
            except UnicodeDecodeError:  # a character split between reads
                continue
            with self.cond:
                self.text += chunk
                self.cond.notify_all()

    def wait_for(self, needle, timeout=10.0):
        deadline = time.monotonic() + timeout
        with self.cond:
            while needle not in self.text:
                left = deadline - time.monotonic()
                if left <= 0 or self.proc.poll() is not None:
                    fail("nc %s: waited for %r; got %r" % (self.nick, needle, self.text[-800:]))
                self.cond.wait(left)

    def send(self, line):
        try:
            self.proc.stdin.write((line + "\n").encode("utf-8"))
            self.proc.stdin.flush()
        except BrokenPipeError:
            fail("nc %s exited early; it printed %r" % (self.nick, self.text[-800:]))

    def login_and_join(self, room):
        self.wait_for(PROMPT_PT)
        self.send(self.nick)
        self.wait_for(welcome_pt(self.nick))
        self.send("/entrar " + room)
        self.wait_for(PT.joined(room))

    def chat_lines(self):
        """The [nick] text lines heard, in order (history lines start with 🕘)."""
        with self.cond:
            lines = self.text.split("\n")
        out = []
        for line in lines:
            m = CHAT_LINE.match(line)
            if m and not m.group(1).startswith("PM "):
                out.append({"nick": m.group(1), "text": m.group(2)})
        return out

    def close(self):
        terminate(self.proc, 3.0)


# --- the browser run ---------------------------------------------------------------

def run_node(folder, d, artifacts):
    node = require_tool("node")
    env = dict(os.environ, CHATD_WEB_URL=d.url, ARTIFACTS=artifacts, CHROMIUM=CHROMIUM)
    argv = [node, os.path.join(folder, "e2e.mjs")]
    log("running %s (URL %s, screenshots in %s)" % (" ".join(argv), d.url, artifacts))
    # Its own process group: chromium and its helpers go with it at the end.
    proc = subprocess.Popen(argv, cwd=folder, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    nc = None
    deadline = time.monotonic() + NODE_TIMEOUT
    buf = b""
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                fail("the browser run took over %d s" % NODE_TIMEOUT)
            r, _, _ = select.select([proc.stdout], [], [], min(left, 1.0))
            if not r:
                continue
            data = os.read(proc.stdout.fileno(), 65536)
            if not data:
                break
            buf += data
            while b"\n" in buf:
                raw, buf = buf.split(b"\n", 1)
                line = raw.decode("utf-8", "replace")
                if not line.startswith("@@ "):
                    print(line, flush=True)
                    continue
                step = json.loads(line[3:])
                try:
                    reply, nc = do_step(step, d, nc)
                    reply["ok"] = True
                except Exception as e:  # noqa: BLE001 - reported to the script, which fails
                    log("step %s failed: %s" % (step.get("op"), e))
                    reply = {"ok": False, "error": str(e)}
                proc.stdin.write((json.dumps(reply) + "\n").encode("utf-8"))
                proc.stdin.flush()
        rc = proc.wait(max(1.0, deadline - time.monotonic()))
    finally:
        if nc:
            nc.close()
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)  # the group we created: node, chromium
            proc.wait(5)
        else:
            try:
                os.killpg(proc.pid, signal.SIGKILL)  # chromium helpers left behind, if any
            except ProcessLookupError:
                pass
    if rc != 0:
        fail("the browser scenarios failed (node exit %d); chatd log tail:\n%s" % (rc, d.log_tail(20)))


def do_step(step, d, nc):
    op = step["op"]
    if op == "nc_login":
        if nc:
            nc.close()
        nc = NcUser(d.port, step["nick"])
        nc.login_and_join(step["room"])
        log("nc %s is in %s" % (step["nick"], step["room"]))
        return {}, nc
    if op == "nc_send":
        nc.send(step["text"])
        return {}, nc
    if op == "nc_lines":
        return {"lines": nc.chat_lines()}, nc
    if op == "restart":
        if nc:
            nc.close()
            nc = None
        d.restart(float(step["down_seconds"]))
        return {}, nc
    raise ValueError("unknown step %r" % op)


def main(ctx):
    args = ctx.args
    work_dir = os.path.abspath(args.work_dir or tmpdir())
    artifacts = os.path.abspath(args.artifacts or os.environ.get("CHATD_WEB_ARTIFACTS")
                                or os.path.join(work_dir, "artifacts"))
    os.makedirs(artifacts, exist_ok=True)
    require_tool("node")
    require_tool("nc")
    folder = node_folder(work_dir)
    check_chromium()
    d = WebDaemon(ctx)
    d.start()
    try:
        d.wait_web()
        run_node(folder, d, artifacts)
        d.assert_alive("at the end of the browser run")
    finally:
        d.kill()
    log("screenshots: %s" % ", ".join(sorted(os.listdir(artifacts))))


if __name__ == "__main__":
    parser = arg_parser(__doc__.splitlines()[0])
    parser.add_argument("--work-dir", help="where the npm copy and the screenshots go (default: a temp dir)")
    parser.add_argument("--artifacts", help="where the screenshots go")
    run(main, parser)
