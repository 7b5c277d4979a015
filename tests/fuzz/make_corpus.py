#!/usr/bin/env python3
"""Writes the seed corpus of fuzz_session (tests/fuzz/corpus/): a dozen small
inputs in the target's format (see the top of fuzz_session.cpp): the report's
transcripts, the original client's newline-less lines, telnet IAC sequences,
long lines, hostile text.  Run it after changing the input format:
    python3 tests/fuzz/make_corpus.py
"""

import os

# Same order as kTokens in fuzz_session.cpp.
TOKENS = [
    b"/salas\n", b"/rooms\n", b"/criar ", b"/create ", b"/entrar ", b"/join ", b"/sair\n", b"/leave\n",
    b"/sair_chat\n", b"/QUIT\n", b"/ajuda\n", b"/help\n", b"/xyz\n", b"\n", b"\r\n", b"\r",
    b"\xff\xfb\x01", b"\xff\xfd\x03", b"\xff\xff", b"\xff\xfa\x18\x01\xff\xf0", b"\xff\xf1", b"\xff",
    b"\x1b[31m", b"\x1b]0;t\x07", b"\xc2\x9b", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xc0\xaf",
    b"\xe2\x82", b"caf\xc3\xa9", b"\xf0\x9f\x98\x80", b" \t ", b"Sala", b"Ana", b"/", b"\x7f",
    # issue 10
    b"/registrar ", b"/identify ", b"/senha ", b"/historico ", b"/history\n", b"/msg ", b"/quem\n", b"/who\n",
    b"/topico ", b"/topic -\n", b"/apelido ", b"/nick ", b"/status ", b"/status\n", b"/perfil ", b"/whois ",
    b"s3nh4", b"\xff\xffpw", b" 5\n", b"0\n",
]


def config(pt=True, max_line=1048):
    return bytes([(((max_line - 32) // 8) << 1) | (1 if pt else 0)])


def data(b):
    out = b""
    for i in range(0, len(b), 256):
        chunk = b[i:i + 256]
        out += bytes([0, len(chunk) - 1]) + chunk
    return out


def line(b):
    assert 0 < len(b) <= 256
    return bytes([7, len(b) - 1]) + b


def tok(t):
    return bytes([2, TOKENS.index(t)])


def ans(v=1):
    return bytes([3, v])


# Answer operands for the issue 10 calls (see Driver::answer in fuzz_session.cpp).
NICK_OK, NICK_TAKEN, NICK_NEEDS_PASSWORD, NICK_REGISTERED = 1, 0, 2, 4
ACC_OK, ACC_WRONG, ACC_THROTTLED, ACC_NOT_REGISTERED, ACC_ALREADY, ACC_UNAVAILABLE = range(6)


def tick(ms=200):
    return bytes([4, min(255, ms // 4)])


def auto(mode):
    return bytes([6, mode])


DROP = bytes([5])

SEEDS = {
    # Figures 1-2: nickname, list, create, join, talk, leave, quit (answers on demand)
    "report_transcript": config() + line(b"Ana") + ans(1) + line(b"/salas") + line(b"/criar redes")
    + ans(0) + line(b"/entrar redes") + ans(1) + line(b"oi pessoal") + line(b"/sair")
    + line(b"/sair_chat") + line(b"depois do quit"),
    # Figure 7: case-insensitive commands, case-sensitive arguments, unknown commands
    "report_case": config() + auto(1) + line(b"Bia") + line(b"/SALAS") + line(b"/Criar REDES")
    + line(b"/entrar redes") + bytes([3, 0]) + line(b"/ENTRAR REDES") + line(b"/xyz") + line(b"/QUIT"),
    # the original client.py: no newlines, the idle flush ends each line
    "original_client": config(pt=True) + data(b"Caio") + tick(200) + ans(1) + data(b"/criar sala")
    + tick(200) + ans(0) + data(b"/entrar sala") + tick(200) + ans(1) + data(b"ola") + tick(200)
    + data(b"/sair_chat") + tick(200),
    # telnet: option negotiation, IAC IAC, subnegotiation, CRLF
    "telnet_iac": config() + tok(b"\xff\xfb\x01") + tok(b"\xff\xfd\x03") + data(b"Di\xff\xffo")
    + tok(b"\r\n") + ans(1) + tok(b"\xff\xfa\x18\x01\xff\xf0") + data(b"/salas\r\n")
    + data(b"\xff\xf1/criar \xff\xfb\x18x\r\n") + ans(0) + tok(b"\xff"),
    # over-long lines: nickname, message, one ending only at EOF
    "long_lines": config(max_line=64) + data(b"N" * 300 + b"\n") + line(b"Edu") + ans(1)
    + line(b"/criar r") + ans(0) + line(b"/entrar r") + ans(1) + data(b"x" * 200) + tick(200)
    + data(b"y" * 100 + b"\nz\n"),
    # hostile text: ESC/OSC/BEL in nickname and room, invalid UTF-8 in messages
    "hostile_text": config() + data(b"\x1b[31mMau\x1b[0m\x07\n") + ans(1)
    + data(b"/criar \x1b]0;owned\x07Sala\n") + ans(0) + data(b"/entrar \x1b]0;owned\x07Sala\n") + ans(1)
    + data(b"caf\xc3\xa9 \x80 \xc3 \xe2\x82 \xc0\xaf \xed\xa0\x80 \xf4\x90\x80\x80 \xf5\xfe\n")
    + data(b"\xc2\x9b2J\x7f\x08\r in the middle\n") + data(b"\x1b\x07\n"),
    # a taken nickname, then another; the empty nickname (default name)
    "nick_taken": config() + line(b"Fabi") + ans(0) + line(b"fabi") + ans(0) + tok(b"\n") + ans(1)
    + line(b"/ajuda"),
    # every create status, joins that fail, switching rooms, joining one's own room
    "rooms": config(pt=False) + line(b"Gil") + ans(1) + line(b"/create a") + ans(0) + line(b"/create a")
    + ans(1) + line(b"/create b") + ans(2) + line(b"/create c") + ans(3) + line(b"/join nope") + ans(0)
    + line(b"/join a") + ans(1) + line(b"/join a") + line(b"/join b") + ans(1) + line(b"msg")
    + line(b"/leave") + line(b"/leave") + line(b"msg outside"),
    # lines sent while an answer is outstanding wait in the stash, in order
    "stash": config() + data(b"Hana\n/criar s\n/entrar s\none\ntwo\n/sair_chat\nignored\n")
    + ans(1) + ans(0) + ans(1),
    # the connection resets while the nickname claim is outstanding
    "reset_claiming": config() + line(b"Ivo") + DROP,
    # reset while a join is outstanding, inside a room
    "reset_joining": config() + auto(1) + line(b"Jo") + line(b"/criar a") + line(b"/entrar a")
    + auto(0) + line(b"/entrar b") + DROP,
    # EOF with a last line without newline, after half a command
    "eof_partial": config() + line(b"Kim") + ans(1) + data(b"/criar x\n/entrar x") + ans(0),
    # usage errors, blank lines and commands with blanks
    "usage": config() + line(b"Lu") + ans(1) + line(b"/criar") + line(b"/entrar \t ") + line(b"   ")
    + line(b"/ajuda extra") + tok(b" \t ") + tok(b"\n") + line(b"/" * 3),
    # auto answers with failure outcomes mixed with tokens
    # issue 10: an account's nickname, the right password at the second try, then the commands
    "login_password": config() + line(b"Lari") + ans(NICK_NEEDS_PASSWORD) + line(b"errada") + ans(ACC_WRONG)
    + tok(b"\n") + line(b"x" * 130) + line(b"certa \xff\x1b") + ans(ACC_OK) + line(b"/criar REDES") + ans(0)
    + line(b"/entrar REDES") + ans(1) + line(b"/historico") + line(b"/history 5") + line(b"/history 0")
    + line(b"/quem") + line(b"/topico") + line(b"/topic Prova de Redes") + line(b"/topic -")
    + line(b"/status estudando") + line(b"/status") + line(b"/perfil Math") + line(b"/msg Math oi")
    + line(b"/senha certa nova senha") + ans(ACC_OK) + line(b"/apelido Lara") + ans(NICK_OK)
    + line(b"/identificar nova senha") + ans(ACC_WRONG) + line(b"/sair_chat"),
    # three wrong passwords close the connection; lines after it are ignored
    "login_wrong_3": config(pt=False) + auto(ACC_WRONG << 1) + line(b"Math") + bytes([3, NICK_NEEDS_PASSWORD])
    + line(b"a") + line(b"b") + line(b"c") + line(b"/salas"),
    # a throttled login, and a reset while the password is checked
    "login_throttled": config() + line(b"Nina") + ans(NICK_NEEDS_PASSWORD) + line(b"pw") + ans(ACC_THROTTLED),
    "reset_checking": config() + line(b"Otto") + ans(NICK_NEEDS_PASSWORD) + line(b"pw") + DROP,
    # /register, /identify, /password and every answer; /nick refused both ways
    "accounts": config(pt=False) + line(b"Pia") + ans(NICK_OK) + line(b"/password a b") + line(b"/register")
    + line(b"/register  p w \r") + ans(ACC_ALREADY) + line(b"/register pw") + ans(ACC_UNAVAILABLE)
    + line(b"/register pw") + ans(ACC_THROTTLED) + line(b"/register pw") + ans(ACC_OK) + line(b"/register pw")
    + line(b"/password a") + line(b"/password old new") + ans(ACC_WRONG) + line(b"/password old new")
    + ans(ACC_OK) + line(b"/nick Quim") + ans(NICK_TAKEN) + line(b"/nick Quim") + ans(NICK_REGISTERED)
    + line(b"/nick Pia") + line(b"/identify pw") + ans(ACC_NOT_REGISTERED) + line(b"/identify pw") + ans(ACC_OK),
    # social commands outside a room, bad arguments, over-long topic and status
    "social_usage": config() + line(b"Rui") + ans(NICK_OK) + line(b"/historico") + line(b"/quem") + line(b"/topico x")
    + line(b"/msg") + line(b"/msg Rui") + line(b"/msg /x oi") + line(b"/perfil") + line(b"/apelido")
    + line(b"/apelido /x") + line(b"/status " + b"s" * 70) + line(b"/criar a") + ans(0) + line(b"/entrar a")
    + ans(1) + line(b"/historico -1") + line(b"/historico 99999999999999999999999") + data(b"/topico " + b"t" * 260 + b"\n"),
    "auto_tokens": config() + auto(0b101) + tok(b"Ana") + tok(b"\n") + auto(0b11) + tok(b"Ana")
    + tok(b"\n") + tok(b"/criar ") + tok(b"Sala") + tok(b"\n") + tok(b"/entrar ") + tok(b"Sala")
    + tok(b"\r\n") + tok(b"\x1b[31m") + tok(b"caf\xc3\xa9") + tok(b"\n") + tok(b"/sair_chat\n"),
}


def main():
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
    os.makedirs(here, exist_ok=True)
    for name, blob in SEEDS.items():
        with open(os.path.join(here, name), "wb") as f:
            f.write(blob)
    print("wrote %d seeds to %s" % (len(SEEDS), here))


if __name__ == "__main__":
    main()
