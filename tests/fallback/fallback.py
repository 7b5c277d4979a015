#!/usr/bin/env python3
"""io_uring refused by seccomp (EPERM): `--backend auto` serves on epoll and
says why; `--backend uring` fails with one line and a non-zero exit."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
import chatd_harness as h  # noqa: E402


def main(ctx):
    deny = os.environ["DENY_URING"]
    probe = subprocess.run([deny, "true"], capture_output=True, timeout=10)
    if probe.returncode == 77:
        raise h.TestSkip(probe.stderr.decode().strip())

    os.environ["CHATD_WRAPPER"] = deny
    ctx.backend = "auto"
    d = h.Daemon(ctx, lang="pt").start()
    c = h.Client(d.port)
    c.expect(b"Digite seu apelido: ")
    c.send_line("Lari")
    c.expect("\n__Conectado ao servidor__\n".encode())
    text = d.log_text()
    if "backend epoll" not in text or "falling back to epoll" not in text or "EPERM" not in text:
        h.fail("auto did not say it fell back to epoll because of EPERM; log:\n" + text[-1500:])
    h.log("auto under seccomp: " + [l for l in text.splitlines() if "backend" in l][0])
    c.close()
    d.stop()

    r = subprocess.run([deny, ctx.chatd, "--backend", "uring", "--listen", "127.0.0.1:0",
                        "--threads", str(ctx.threads)], capture_output=True, timeout=20)
    err = r.stderr.decode("utf-8", "replace").strip()
    h.log("--backend uring under seccomp: exit %d: %s" % (r.returncode, err))
    if r.returncode == 0:
        h.fail("--backend uring started although io_uring is refused")
    # Log lines (info) may come first; the error itself is one "chatd:" line.
    lines = [l for l in err.splitlines() if l.startswith("chatd:")]
    if len(lines) != 1 or "io_uring" not in lines[0] or "EPERM" not in lines[0]:
        h.fail("expected one error line naming io_uring and EPERM, got:\n" + err)


if __name__ == "__main__":
    h.run(main)
