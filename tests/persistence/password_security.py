#!/usr/bin/env python3
"""Passwords never reach the log, the database or another client in clear.

The daemon runs with --log-level trace.  Ana registers (/registrar), changes
her password (/senha, once with a wrong old one), logs in again at the
password prompt (once wrong, then right); Bia tries /identificar on a
nickname without account and /registrar with a blank-only password.  Every
password used, right or wrong, is distinctive (non-ASCII too) and:

* appears nowhere in the daemon's log (which does hold trace/debug lines:
  the grep is not vacuous), neither as typed nor as its UTF-8 hex;
* appears nowhere in chatd.db, chatd.db-wal, chatd.db-shm, read as bytes
  while the daemon runs (after the commits) and again after it stopped;
* is never sent back to any client (every byte each client received);
* the stored hash starts with $argon2id$; after a restart the new password
  logs in and the old one is refused (the change was stored).
"""

import binascii
import glob
import os
import time

from persist_lib import (PT, PTP, Checks, Daemon, Db, close_all, fail, log, login_password, run, temp_dir)

P_REG = "Zq8x-pão-SECRETO7731"         # one word: /senha takes the old one as its first word
P_NEW = "N0vaSenha ✓ troca5521"        # the new one is the rest of the line: blanks inside are kept
P_WRONG_OLD = "ErradaAntiga3317"
P_WRONG_LOGIN = "Wr0ngTentativa 4419x"
P_IDENTIFY = "Ident1ficaSemConta6645"
SECRETS = [P_REG, P_NEW, P_WRONG_OLD, P_WRONG_LOGIN, P_IDENTIFY]
COMMON = ["--registrations-per-ip", "0", "--login-attempts", "0", "--history-flush-ms", "200"]


def forms(secret):
    """The byte strings that would betray `secret`."""
    b = secret.encode("utf-8")
    out = [b, binascii.hexlify(b), binascii.hexlify(b).upper()]
    # a log might escape the non-ASCII characters ({:?} in fmt): each password has an ASCII word
    # with letters and digits that is enough to find it
    out += [w.encode() for w in secret.replace("-", " ").split()
            if len(w) >= 8 and w.isascii() and any(ch.isdigit() for ch in w) and any(ch.isalpha() for ch in w)]
    return out


def leaks_in(data, where):
    found = []
    for s in SECRETS:
        for f in forms(s):
            if f in data:
                found.append("%r (as %r) in %s" % (s, f[:40], where))
                break
    return found


def db_files(data_dir):
    return sorted(glob.glob(os.path.join(data_dir, "chatd.db*")))


def scan_db(data_dir, when):
    leaks = []
    files = db_files(data_dir)
    if not any(f.endswith("chatd.db") for f in files):
        fail("no chatd.db in %s (%s)" % (data_dir, when))
    for f in files:
        with open(f, "rb") as fh:
            leaks += leaks_in(fh.read(), "%s (%s)" % (os.path.basename(f), when))
    log("%s: scanned %s" % (when, ", ".join("%s (%d bytes)" % (os.path.basename(f), os.path.getsize(f))
                                             for f in files)))
    return leaks


def main(ctx):
    checks = Checks()
    data_dir = os.path.join(temp_dir("password-"), "data")
    extra = COMMON + ["--data-dir", data_dir]
    d = Daemon(ctx, log_level="trace", extra=extra).start()
    clients = []
    try:
        with checks.check("register, change the password, log in again, wrong passwords on the way"):
            ana = d.client("Ana").login("Ana")
            clients.append(ana)
            ana.send_line("/registrar " + P_REG)
            ana.expect(PTP.account_created("Ana"), timeout=10)
            ana.send_line("/senha %s %s" % (P_WRONG_OLD, P_NEW))
            ana.expect(PTP.wrong_password, timeout=10)
            ana.send_line("/senha %s %s" % (P_REG, P_NEW))
            ana.expect(PTP.password_changed, timeout=10)
            bia = d.client("Bia").login("Bia")
            clients.append(bia)
            bia.send_line("/identificar " + P_IDENTIFY)
            bia.expect("⚠️ O apelido 'Bia' não tem conta. Use /registrar <senha> para criar uma.\n", timeout=10)
            bia.send_line("/criar sala")
            bia.expect(PT.created("sala"))
            ana.close()
            time.sleep(0.3)  # the nickname is released
            ana2 = login_password(d, "Ana", P_NEW, wrong=[P_WRONG_LOGIN, P_REG], name="Ana-2")
            clients.append(ana2)
            time.sleep(0.6)  # past the flush window
        with checks.check("the database files hold no password while the daemon runs"):
            leaks = scan_db(data_dir, "daemon running")
            if leaks:
                fail("passwords in the database files: %s" % "; ".join(leaks))
        with checks.check("no client ever received a password"):
            leaks = []
            for c in clients:
                leaks += leaks_in(bytes(c.transcript), "what %s received" % c.name)
            if leaks:
                fail("; ".join(leaks))
        close_all(clients)
        with checks.check("SIGTERM: exit 0"):
            d.stop()
    finally:
        close_all(clients)
        d.kill()
    with checks.check("the log (trace level) holds no password"):
        text = d.log_text()
        detailed = [l for l in text.splitlines() if " trace " in l or " debug " in l]
        if not detailed:
            fail("the log has no trace or debug line: the check would be vacuous; log tail:\n%s" % d.log_tail(10))
        leaks = leaks_in(text.encode("utf-8"), "the log")
        if leaks:
            lines = [l for l in text.splitlines() if any(f.decode("utf-8", "replace") in l
                                                         for s in SECRETS for f in forms(s))]
            fail("%s; lines: %r" % ("; ".join(leaks), lines[:5]))
        log("the log: %d lines, %d of them trace/debug, no password" % (len(text.splitlines()), len(detailed)))
    with checks.check("the database files hold no password after the stop; the hash is Argon2id"):
        leaks = scan_db(data_dir, "after the stop")
        if leaks:
            fail("passwords in the database files: %s" % "; ".join(leaks))
        with Db(data_dir) as db:
            acc = db.account("ana")
            if acc is None:
                fail("no account 'ana' stored: %r" % db.accounts())
            if not acc[1].startswith("$argon2id$"):
                fail("the stored hash does not start with $argon2id$: %r" % acc[1][:20])
            if db.account("bia") is not None:
                fail("Bia has an account: %r" % (db.account("bia"),))
            mode = os.stat(db.path).st_mode & 0o777
            if mode != 0o600:
                fail("chatd.db has mode %o, want 600" % mode)
    with checks.check("after a restart the new password logs in, the old one is refused"):
        d2 = Daemon(ctx, log_level="trace", extra=extra).start()
        try:
            c = login_password(d2, "Ana", P_NEW, wrong=[P_REG])
            c.close()
            d2.stop()
        finally:
            d2.kill()
        leaks = leaks_in(d2.log_text().encode("utf-8"), "the second run's log")
        if leaks:
            fail("; ".join(leaks))
    checks.finish()


if __name__ == "__main__":
    run(main)
