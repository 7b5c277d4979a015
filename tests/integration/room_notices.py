#!/usr/bin/env python3
"""--room-notices-max (an "auditorium"): above that many members a room gets
no join/leave/quit notices; messages, /who and the order are unchanged."""

from chatd_harness import PT, daemon, log, run


def main(ctx):
    with daemon(ctx, extra=["--room-notices-max", "2"]) as d:
        ana = d.client("Ana").login("Ana")
        ana.send_line("/criar sala")
        ana.expect(PT.created("sala"))
        ana.send_line("/entrar sala")
        ana.expect(PT.joined("sala"))
        bia = d.client("Bia").login("Bia")
        bia.send_line("/entrar sala")
        bia.expect(PT.joined("sala"))
        ana.expect(PT.joined_other("Bia", "sala"), what="a room of 2: the join is announced")
        cy = d.client("Cy").login("Cy")
        cy.send_line("/entrar sala")
        cy.expect(PT.joined("sala"))
        cy.send_line("oi")
        # The next thing Ana and Bia see is Cy's message: no notice of a third member.
        ana.expect("[Cy] oi\n", what="a room of 3: no join notice before the message")
        bia.expect("[Cy] oi\n", what="a room of 3: no join notice before the message")
        cy.send_line("/sair")
        cy.read_line()
        bia.send_line("depois")
        ana.expect("[Bia] depois\n", what="a room of 3: no leave notice either")
        bia.send_line("/sair_chat")
        ana.expect(PT.quit_other("Bia", "sala"), what="back to 2: the quit is announced")
        for c in (ana, bia, cy):
            c.close()
    log("ok   notices up to --room-notices-max members, none above, messages unchanged")


if __name__ == "__main__":
    run(main)
