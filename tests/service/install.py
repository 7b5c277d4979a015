#!/usr/bin/env python3
"""`meson install --destdir` into a temporary directory, unprivileged: the
binary, both units, the config and chatd(8) land where the units expect them
(ExecStart= names the installed binary, --config the installed file), the
installed binary runs, and `systemd-analyze verify` accepts the installed
units."""
from svc_common import check, require_tool, run
import os
import re
import shutil
import subprocess


def extra(ap):
    ap.add_argument("--build-root", required=True)
    ap.add_argument("--meson", default="meson")


def main(ctx):
    meson = shutil.which(ctx.args.meson) or require_tool("meson")
    dest = ctx.path("dest")
    r = subprocess.run([meson, "install", "-C", ctx.args.build_root, "--destdir", dest, "--no-rebuild",
                        "--quiet"], capture_output=True, text=True, timeout=120)
    check(r.returncode == 0, "meson install failed:\n%s%s" % (r.stdout, r.stderr))

    def find(name):
        hits = []
        for root, _, files in os.walk(dest):
            if name in files:
                hits.append(os.path.join(root, name))
        check(len(hits) == 1, "%s installed %d times: %r" % (name, len(hits), hits))
        return hits[0]

    service = find("chatd.service")
    socket_unit = find("chatd.socket")
    check(os.path.dirname(service) == os.path.dirname(socket_unit), "units in different directories")
    unitdir = "/" + os.path.relpath(os.path.dirname(service), dest)
    check(unitdir.endswith("/lib/systemd/system"), "units installed to %s" % unitdir)
    with open(service, encoding="utf-8") as f:
        text = f.read()
    m = re.search(r"^ExecStart=(\S+) --config (\S+)$", text, re.M)
    check(m, "ExecStart= has an unexpected form")
    binary, config = m.group(1), m.group(2)
    for path in (binary, config):
        check(os.path.isabs(path), "%s is not absolute" % path)
        check(os.path.isfile(dest + path), "%s (named by the unit) is not installed" % path)
    check(os.access(dest + binary, os.X_OK), "%s is not executable" % binary)
    man = find("chatd.8")
    check("/man8/" in man, "man page at %s" % man)
    print("installed: %s, %s, %s, units in %s" % (binary, config, "/" + os.path.relpath(man, dest), unitdir))

    # The installed binary works, and the installed config is valid for it.
    r = subprocess.run([dest + binary, "--version"], capture_output=True, text=True, timeout=20)
    check(r.returncode == 0 and r.stdout.startswith("chatd "), "installed chatd --version: %r" % r.stdout)

    # The installed units are valid as installed. verify wants ExecStart= to
    # exist on this system, so a copy names the binary inside DESTDIR.
    analyze = shutil.which("systemd-analyze")
    if analyze:
        check_dir = ctx.path("verify")
        os.mkdir(check_dir)
        with open(os.path.join(check_dir, "chatd.service"), "w", encoding="utf-8") as f:
            f.write(text.replace("ExecStart=" + binary, "ExecStart=" + dest + binary, 1))
        shutil.copy(socket_unit, check_dir)
        r = subprocess.run([analyze, "verify", "--man=no", "chatd.service", "chatd.socket"],
                           cwd=check_dir, capture_output=True, text=True, timeout=60)
        out = (r.stdout + r.stderr).strip()
        check(r.returncode == 0 and not out, "systemd-analyze verify: rc=%d %s" % (r.returncode, out))
        print("systemd-analyze verify of the installed units: clean")

if __name__ == "__main__":
    run(main, extra, timeout=180)
