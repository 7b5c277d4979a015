#!/usr/bin/env python3
"""socat as a client: one plain (LF) and one with `crnl` (sends CRLF).

Two socat users and one raw socket share a room; every received byte is
checked.  The CRLF user's lines must arrive without the CR; /sair_chat
makes the server close (socat exits by itself); closing socat's stdin
half-closes the TCP connection (FIN from the client), which the daemon must
treat as a disconnect and announce to the room.
"""

from chatd_harness import (HOST, PT, Client, ProcClient, arg_parser, daemon, fail, require_tool,
                           run)


def main(ctx):
    require_tool("socat")
    with daemon(ctx, lang="pt") as d:
        addr = "TCP4:%s:%d" % (HOST, d.port)
        a = ProcClient(["socat", "-", addr], name="socat:Ana Socat")
        b = ProcClient(["socat", "-", addr + ",crnl"], name="socat-crnl:Beto")
        c = None
        try:
            a.login("Ana Socat")
            b.login("Beto")
            c = Client(d.port, name="Caco").login("Caco")
            a.send_line("/criar sala socat")
            a.expect(PT.created("sala socat"))
            a.send_line("/entrar sala socat")
            a.expect(PT.joined("sala socat"))
            b.send_line("/entrar sala socat")
            b.expect(PT.joined("sala socat"))
            a.expect(PT.joined_other("Beto", "sala socat"))
            c.send_line("/entrar sala socat")
            c.expect(PT.joined("sala socat"))
            a.expect(PT.joined_other("Caco", "sala socat"))
            b.expect(PT.joined_other("Caco", "sala socat"))
            a.send_line("olá via socat")
            b.expect(PT.msg("Ana Socat", "olá via socat"))
            c.expect(PT.msg("Ana Socat", "olá via socat"))
            b.send_line("resposta com CRLF")
            a.expect(PT.msg("Beto", "resposta com CRLF"))
            c.expect(PT.msg("Beto", "resposta com CRLF"))
            b.send_line("/salas")
            b.expect(PT.rooms(["sala socat"]))
            b.send_line("/sair_chat")
            b.expect(PT.quit_self)
            a.expect(PT.quit_other("Beto", "sala socat"))
            c.expect(PT.quit_other("Beto", "sala socat"))
            rc = b.wait_exit(5.0)
            b.expect_eof(2.0)
            if rc != 0:
                fail("socat (Beto) exited with status %d: %s" % (rc, b.stderr_text()))
            # EOF on socat's stdin: it shuts down its sending side (FIN)
            a.close_stdin()
            c.expect(PT.quit_other("Ana Socat", "sala socat"), what="after Ana's half-close")
            a.wait_exit(5.0)
            a.expect_eof(2.0)
            c.send_line("/salas")
            c.expect(PT.rooms(["sala socat"]))
        finally:
            a.close()
            b.close()
            if c:
                c.close()


if __name__ == "__main__":
    run(main, arg_parser(__doc__))
