#!/usr/bin/env python3
"""`systemd-analyze verify` on chatd.service and chatd.socket as configured
by this build. verify insists that ExecStart= exists, so it checks a copy
whose ExecStart= names the binary just built; everything else is as
installed. Any diagnostic at all (an unknown key, an unknown syscall group,
a missing command) fails the test: verify itself exits 0 on most of them.
Also runs `systemd-analyze security --offline` to keep the hardening honest.
"""
from svc_common import check, require_tool, run, TestFailure
import os
import re
import subprocess


def extra(ap):
    ap.add_argument("--units", required=True, help="build dir holding the configured units")


def main(ctx):
    analyze = require_tool("systemd-analyze")
    for name in ("chatd.service", "chatd.socket"):
        src = os.path.join(ctx.args.units, name)
        with open(src, encoding="utf-8") as f:
            text = f.read()
        if name == "chatd.service":
            m = re.search(r"^ExecStart=(\S+)", text, re.M)
            check(m, "no ExecStart= in chatd.service")
            text = text.replace("ExecStart=" + m.group(1), "ExecStart=" + os.path.abspath(ctx.chatd), 1)
        ctx.write(name, text)

    r = subprocess.run([analyze, "verify", "--man=no", "chatd.service", "chatd.socket"],
                       cwd=ctx.tmp, capture_output=True, text=True, timeout=60)
    out = (r.stdout + r.stderr).strip()
    print("systemd-analyze verify: rc=%d%s" % (r.returncode, (":\n" + out) if out else ", no diagnostics"))
    check(r.returncode == 0 and not out, "systemd-analyze verify complained")

    # The unit in the build tree must say what the issue asks for.
    with open(os.path.join(ctx.args.units, "chatd.service"), encoding="utf-8") as f:
        unit = f.read()
    for line in ["Type=notify", "ExecReload=kill -HUP $MAINPID", "Restart=on-failure",
                 "LimitNOFILE=1048576", "DynamicUser=yes", "NoNewPrivileges=yes", "ProtectSystem=strict",
                 "ProtectHome=yes", "PrivateTmp=yes", "PrivateDevices=yes",
                 "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX", "CapabilityBoundingSet=",
                 "SystemCallFilter=@system-service", "UMask=0077"]:
        check(re.search("^" + re.escape(line) + "$", unit, re.M), "chatd.service lacks %r" % line)
    check(re.search(r"^WatchdogSec=\d+", unit, re.M), "chatd.service lacks WatchdogSec=")
    # Every io_uring call the backend makes must pass the filter.
    r = subprocess.run([analyze, "syscall-filter", "@system-service"], capture_output=True, text=True,
                       timeout=60)
    allowed = set(re.findall(r"^\s+(\w+)\s*$", r.stdout, re.M))
    groups = set(re.findall(r"^\s+(@[\w-]+)\s*$", r.stdout, re.M))
    for g in groups:
        rg = subprocess.run([analyze, "syscall-filter", g], capture_output=True, text=True, timeout=60)
        allowed |= set(re.findall(r"^\s+(\w+)\s*$", rg.stdout, re.M))
    extra_allowed = set()
    for m in re.finditer(r"^SystemCallFilter=([^~@].*)$", unit, re.M):
        extra_allowed |= set(m.group(1).split())
    for call in ("io_uring_setup", "io_uring_enter", "io_uring_register"):
        check(call in allowed or call in extra_allowed, "%s is not allowed by the unit's filter" % call)

    r = subprocess.run([analyze, "security", "--offline=true", "--no-pager", "chatd.service"],
                       cwd=ctx.tmp, capture_output=True, text=True, timeout=60)
    m = re.search(r"Overall exposure level for chatd\.service: ([\d.]+)", r.stdout + r.stderr)
    if m:
        print("systemd-analyze security: exposure %s" % m.group(1))
        check(float(m.group(1)) <= 2.5, "exposure level %s is above 2.5" % m.group(1))


if __name__ == "__main__":
    run(main, extra, timeout=120)
