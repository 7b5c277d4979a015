#!/usr/bin/env python3
"""The config file at start: one-line errors naming file, line and key with
exit status 2; a missing --config file is an error; the command line wins
over the file; and the installed example names every option and, with every
default uncommented, is accepted as is."""
from svc_common import Client, Daemon, check, run, PROMPT_EN
import os
import re
import subprocess


def extra(ap):
    ap.add_argument("--example", required=True)


def start_fails(ctx, text, expect):
    conf = ctx.write("bad.conf", text)
    r = subprocess.run([ctx.chatd, "--config", conf, "--listen", "127.0.0.1:0"], capture_output=True,
                       text=True, timeout=20)
    err = r.stderr
    check(r.returncode == 2, "exit %s (want 2) for %r; stderr %r" % (r.returncode, text, err))
    check(err.count("\n") == 1, "error is not one line: %r" % err)
    want = "chatd: " + conf + expect
    check(err.startswith(want), "stderr %r does not start with %r" % (err, want))
    print("rejected %r: %s" % (text, err.strip()))


def main(ctx):
    start_fails(ctx, "threads = 1\nbogus = 3\n", ":2: unknown key 'bogus'")
    start_fails(ctx, "# c\n\nthreads = lots\n", ":3: key 'threads': ")
    start_fails(ctx, "max-line = 10\n", ":1: key 'max-line': ")
    start_fails(ctx, "max-outbuf = 4X\n", ":1: key 'max-outbuf': ")
    start_fails(ctx, "listen = 300.1.1.1:5\n", ":1: key 'listen': ")
    start_fails(ctx, "lang = fr\n", ":1: key 'lang': ")
    start_fails(ctx, "threads = 1\nthreads = 2\n", ":2: key 'threads' already set on line 1")
    start_fails(ctx, "just words\n", ":1: expected 'key = value'")
    start_fails(ctx, "[section]\nthreads = 1\n", ":1: sections")

    r = subprocess.run([ctx.chatd, "--config", ctx.path("nope.conf")], capture_output=True, text=True,
                       timeout=20)
    check(r.returncode == 2 and "nope.conf" in r.stderr and r.stderr.count("\n") == 1,
          "missing --config file: exit %s, %r" % (r.returncode, r.stderr))

    # The command line wins: the file says pt, --lang en says en.
    conf = ctx.write("pt.conf", "lang = pt\n")
    d = Daemon(ctx, ["--config", conf, "--listen", "127.0.0.1:0", "--lang", "en"] + ctx.daemon_args())
    c = Client(d.port())
    c.read_until(PROMPT_EN)
    d.signal(15)
    d.wait(15)
    d = Daemon(ctx, ["--config", conf, "--listen", "127.0.0.1:0"] + ctx.daemon_args(), name="chatd-pt")
    d.wait_log(r"Servidor rodando em 127\.0\.0\.1:\d+")
    c = Client(int(d.wait_log(r"Servidor rodando em 127\.0\.0\.1:(\d+)").group(1)))
    c.read_until("Digite seu apelido: ")
    d.signal(15)
    d.wait(15)
    print("command line beats the file; the file applies otherwise")

    # The example names every option of --help, and its defaults are valid.
    help_text = subprocess.run([ctx.chatd, "--help"], capture_output=True, text=True, timeout=20).stdout
    options = set(re.findall(r"--([a-z][a-z0-9-]+)", help_text)) - {"help", "version", "config"}
    with open(ctx.args.example, encoding="utf-8") as f:
        example = f.read()
    keys = set(re.findall(r"^# ([a-z][a-z0-9-]+) = ", example, re.M))
    check(options <= keys, "keys missing from the example: %s" % sorted(options - keys))
    check(keys <= options, "example keys chatd does not know: %s" % sorted(keys - options))
    # Listeners that are off by default show a real setup's values (ports,
    # certificate files): they stay commented here; every other key is
    # uncommented with its default.
    off_by_default = ("web", "web-origin", "tls-listen", "web-tls", "tls-cert", "tls-key", "cluster", "node-id")
    uncommented = re.sub(r"^# ((?!(?:%s) = )[a-z][a-z0-9-]+ = )" % "|".join(off_by_default), r"\1", example,
                         flags=re.M)
    conf = ctx.write("example.conf", uncommented)
    # The command line beats the file: the example's data-dir is the
    # system's state directory, which a test must not touch.
    data_dir = ctx.path("data")
    os.makedirs(data_dir, exist_ok=True)
    d = Daemon(ctx, ["--config", conf, "--listen", "127.0.0.1:0", "--metrics", "127.0.0.1:0",
                     "--threads", "1", "--backend", ctx.args.backend, "--data-dir", data_dir],
               name="chatd-example")
    Client(d.port()).read_until(PROMPT_EN)
    d.signal(15)
    check(d.wait(15) == 0, "chatd with the example config did not exit 0")
    print("example: %d keys, all options covered, defaults accepted" % len(keys))


if __name__ == "__main__":
    run(main, extra, timeout=90)
