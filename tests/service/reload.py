#!/usr/bin/env python3
"""SIGHUP re-reads the config file (the command line still wins) and applies
the live values: the log level (debug lines appear after switching to debug)
and the limits (a lower max-line is enforced at once). Values that need a
restart are named as such. A broken or vanished file is refused with an
error line and chatd keeps serving on the previous settings."""
from svc_common import Client, Daemon, check, run, PROMPT_EN
import os
import time

DEBUG_LINE = "closed before registering"


def poke(port):
    """Connect and leave before giving a nickname: logged at debug level only."""
    c = Client(port)
    c.read_until(PROMPT_EN)
    c.close()


def main(ctx):
    conf = ctx.write("chatd.conf", "log-level = info\nlogin-timeout = 5\n")
    # --login-timeout on the command line must win over the file, at start
    # and on every reload.
    d = Daemon(ctx, ["--config", conf, "--listen", "127.0.0.1:0", "--login-timeout", "30"]
               + ctx.daemon_args())
    port = d.port()
    d.wait_log(r"config: " + conf)

    poke(port)
    time.sleep(0.5)
    check(DEBUG_LINE not in d.log(), "a debug line at log-level info")

    # info -> debug, max-line 4096 -> 100, max-rooms changed (restart only).
    ctx.write("chatd.conf", "log-level = debug\nlogin-timeout = 5\nmax-line = 100\nmax-rooms = 500\n")
    mark = len(d.log())
    d.signal(1)
    d.wait_log(r"reload \(%s\): log-level: info -> debug" % conf, start=mark)
    d.wait_log(r"reload \(%s\): max-line: 4096 -> 100" % conf, start=mark)
    d.wait_log(r"reload \(%s\): max-rooms: changed in the config, applies after a restart" % conf,
               start=mark)
    check("login-timeout" not in d.log()[mark:], "login-timeout from the file beat the command line")
    poke(port)
    d.wait_log(DEBUG_LINE, start=mark)
    print("SIGHUP: log level info -> debug, debug lines appear")

    c = Client(port)
    c.register("alice")
    c.send("y" * 200 + "\n")
    c.read_until("⚠️ Line too long (at most 100 bytes)")
    print("SIGHUP: max-line 100 enforced on a connected client")

    # A broken file: refused, named by file, line and key; still serving.
    ctx.write("chatd.conf", "log-level = info\nmax-line = 12\n")
    mark = len(d.log())
    d.signal(1)
    d.wait_log(r"error.*reload refused, still running on the previous config: %s:2: key 'max-line'"
               % conf, start=mark)
    c.sync()
    c2 = Client(port)
    c2.register("bob")
    poke(port)
    time.sleep(0.3)
    check(d.log().count(DEBUG_LINE) >= 2, "the refused reload changed the log level")
    print("SIGHUP with a broken config: refused, still serving, still at debug")

    # The file vanishes: refused too (it was named with --config).
    os.unlink(conf)
    mark = len(d.log())
    d.signal(1)
    d.wait_log(r"reload refused.*%s: No such file" % conf, start=mark)
    c.sync()
    check(d.proc.poll() is None, "chatd died on a reload")

    d.signal(15)
    check(d.wait(15) == 0, "exit status not 0")


if __name__ == "__main__":
    run(main, timeout=60)
