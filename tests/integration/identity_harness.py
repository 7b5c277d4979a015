"""Helpers for the tests of accounts, history and private messages (issue 10).

The reply texts of docs/protocol.md ("Accounts, history, private messages")
in both languages, byte for byte as src/chat/line_dialect.cpp renders them,
plus login helpers and a way to learn which shard a connection landed on
(the per-shard accepted counters of --metrics).
Standard library only.
"""

import sys

sys.dont_write_bytecode = True

import re
import time
import urllib.request

from chatd_harness import HOST, Client, fail, free_port, log, short

# "🕘 [HH:MM] [nick] text\n": the history line, the same in both languages.
HISTORY_LINE = re.compile(r"🕘 \[([0-2][0-9]):([0-5][0-9])\] \[(.*?)\] (.*)\n\Z", re.S)


class Texts:
    """One language's texts; every method returns a str ending like the wire."""

    def __init__(self, lang):
        self.lang = lang
        pt = lang == "pt"
        self.pt = pt
        self.prompt = "Digite seu apelido: " if pt else "Enter your nickname: "
        self.password_changed = "✅ Senha alterada.\n" if pt else "✅ Password changed.\n"
        self.wrong_password = "❌ Senha incorreta.\n" if pt else "❌ Wrong password.\n"
        self.too_many_attempts = ("❌ Senha incorreta vezes demais: desconectado.\n" if pt
                                  else "❌ Too many wrong passwords: disconnected.\n")
        self.login_throttled = ("⚠️ Tentativas de login demais. Aguarde um pouco e tente de novo.\n" if pt
                                else "⚠️ Too many login attempts. Wait a while and try again.\n")
        self.password_invalid = ("⚠️ Senha inválida: use de 1 a 128 bytes.\n" if pt
                                 else "⚠️ Invalid password: use 1 to 128 bytes.\n")
        self.not_identified = ("⚠️ Você não está identificado(a). Use /identificar <senha> primeiro.\n" if pt
                               else "⚠️ You are not logged in. Use /identify <password> first.\n")
        self.needs_room = ("⚠️ Esse comando precisa de uma sala. Use /entrar <sala> primeiro.\n" if pt
                           else "⚠️ That command needs a room. Use /join <room> first.\n")
        self.usage_register = "⚠️ Uso: /registrar <senha>\n" if pt else "⚠️ Usage: /register <password>\n"
        self.usage_identify = "⚠️ Uso: /identificar <senha>\n" if pt else "⚠️ Usage: /identify <password>\n"
        self.usage_password = ("⚠️ Uso: /senha <antiga> <nova>\n" if pt
                               else "⚠️ Usage: /password <old> <new>\n")
        self.usage_history = ("⚠️ Uso: /historico [n] (n: um número inteiro positivo)\n" if pt
                              else "⚠️ Usage: /history [n] (n: a positive whole number)\n")
        self.usage_msg = "⚠️ Uso: /msg <apelido> <texto>\n" if pt else "⚠️ Usage: /msg <nick> <text>\n"
        self.usage_nick = "⚠️ Uso: /apelido <novo>\n" if pt else "⚠️ Usage: /nick <new>\n"
        self.usage_whois = "⚠️ Uso: /perfil <apelido>\n" if pt else "⚠️ Usage: /whois <nick>\n"
        self.nick_invalid = ("⚠️ Apelido inválido: use de 1 a 32 caracteres, sem começar com '/'.\n" if pt
                             else "⚠️ Invalid nickname: use 1 to 32 characters, not starting with '/'.\n")
        self.status_cleared = "✅ Status removido.\n" if pt else "✅ Status cleared.\n"
        self.quit_self = "👋 Você saiu do chat.\n" if pt else "👋 You left the chat.\n"
        self.left_self = "🔹 Você saiu da sala.\n" if pt else "🔹 You left the room.\n"
        self.msg_outside = ("⚠️ Você não está em nenhuma sala. Use /entrar <sala> para participar.\n" if pt
                            else "⚠️ You are not in a room. Use /join <room> to take part.\n")

    # -- the login and the rooms (the texts of before issue 10)
    def welcome(self, nick):
        if self.pt:
            return ("\n__Conectado ao servidor__\n"
                    "\nBem-vindo(a) ao chat, %s! Use os comandos:\n"
                    "/salas - listar salas disponíveis\n"
                    "/criar <sala> - criar uma nova sala\n"
                    "/entrar <sala> - entrar em uma sala existente\n"
                    "/sair - sair da sala atual\n"
                    "/sair_chat - desconectar\n" % nick)
        return ("\n__Connected to the server__\n"
                "\nWelcome to the chat, %s! Commands:\n"
                "/rooms - list the rooms\n"
                "/create <room> - create a new room\n"
                "/join <room> - join an existing room\n"
                "/leave - leave the current room\n"
                "/quit - disconnect\n"
                "/help - this list (Portuguese names work too: /salas, /criar, /entrar, /sair, "
                "/sair_chat, /ajuda)\n" % nick)

    def nick_taken(self, n):
        return ("⚠️ O apelido '%s' já está em uso. Escolha outro.\n" if self.pt
                else "⚠️ The nickname '%s' is taken. Choose another.\n") % n

    def created(self, r):
        return ("✅ Sala '%s' criada com sucesso!\n" if self.pt else "✅ Room '%s' created.\n") % r

    def joined(self, r):
        return ("✅ Você entrou na sala '%s'.\n" if self.pt else "✅ You joined room '%s'.\n") % r

    def joined_other(self, n, r):
        return ("📝 %s entrou na sala '%s'.\n" if self.pt else "📝 %s joined room '%s'.\n") % (n, r)

    def left_other(self, n, r):
        return ("📝 %s saiu da sala '%s'.\n" if self.pt else "📝 %s left room '%s'.\n") % (n, r)

    def quit_other(self, n, r):
        return ("👋 %s saiu do chat da sala '%s'.\n" if self.pt
                else "👋 %s left the chat from room '%s'.\n") % (n, r)

    def rooms(self, names):
        if self.pt:
            return "Salas disponíveis: %s\n" % (", ".join(names) if names else "Nenhuma sala disponível.")
        return "Rooms: %s\n" % (", ".join(names) if names else "none yet.")

    @staticmethod
    def msg(n, t):
        return "[%s] %s\n" % (n, t)

    # -- accounts
    def password_prompt(self, n):
        return ("Senha para %s: " if self.pt else "Password for %s: ") % n

    def identified(self, n):
        return ("✅ Identificado(a): bem-vindo(a) de volta, %s!\n" if self.pt
                else "✅ Logged in: welcome back, %s!\n") % n

    def account_registered(self, n):
        return ("✅ Conta criada: o apelido '%s' agora é seu, e você já está identificado(a).\n" if self.pt
                else "✅ Account created: the nickname '%s' is yours now, and you are logged in.\n") % n

    def not_registered(self, n):
        return ("⚠️ O apelido '%s' não tem conta. Use /registrar <senha> para criar uma.\n" if self.pt
                else "⚠️ The nickname '%s' has no account. Use /register <password> to create one.\n") % n

    def already_registered(self, n):
        return ("⚠️ O apelido '%s' já tem conta. Use /identificar <senha> para entrar nela.\n" if self.pt
                else "⚠️ The nickname '%s' already has an account. Use /identify <password> to log in.\n") % n

    def already_identified(self, n):
        return ("⚠️ Você já está identificado(a) como '%s'.\n" if self.pt
                else "⚠️ You are already logged in as '%s'.\n") % n

    def nick_registered(self, n):
        return ("⚠️ O apelido '%s' pertence a uma conta. Para usá-lo, conecte-se de novo com ele e digite a "
                "senha.\n" if self.pt else
                "⚠️ The nickname '%s' belongs to an account. To use it, reconnect with it and give its "
                "password.\n") % n

    def no_such_nick(self, n):
        return ("❌ Ninguém usa o apelido '%s' (nem online, nem registrado).\n" if self.pt
                else "❌ Nobody is called '%s' (neither online nor registered).\n") % n

    # -- history
    def history_empty(self, r):
        return ("📝 Nenhuma mensagem guardada na sala '%s'.\n" if self.pt
                else "📝 No stored messages in room '%s'.\n") % r

    # -- private messages
    def pm_from(self, n, t):
        return ("[PM de %s] %s\n" if self.pt else "[PM from %s] %s\n") % (n, t)

    def pm_to(self, n, t):
        return ("[PM para %s] %s\n" if self.pt else "[PM to %s] %s\n") % (n, t)

    def pm_queued(self, n):
        return ("📝 %s está offline: a mensagem será entregue no próximo login.\n" if self.pt
                else "📝 %s is offline: the message will be delivered at their next login.\n") % n

    # -- /who, /topic, /nick, /status
    def members(self, room, members):
        """members: [(nick, status-or-None)] in the room's order."""
        parts = ["%s (%s)" % (n, s) if s else n for n, s in members]
        head = ("👥 Na sala '%s': " if self.pt else "👥 In room '%s': ") % room
        return head + (", ".join(parts) if parts else ("ninguém." if self.pt else "nobody.")) + "\n"

    def topic(self, room, text):
        return ("📌 Tópico de '%s': %s\n" if self.pt else "📌 Topic of '%s': %s\n") % (room, text)

    def topic_none(self, room):
        return ("📌 A sala '%s' não tem tópico.\n" if self.pt else "📌 No topic set for '%s'.\n") % room

    def topic_changed(self, n, room, text):
        return ("📝 %s mudou o tópico de '%s' para: %s\n" if self.pt
                else "📝 %s changed the topic of '%s' to: %s\n") % (n, room, text)

    def topic_cleared(self, n, room):
        return ("📝 %s removeu o tópico de '%s'.\n" if self.pt else "📝 %s cleared the topic of '%s'.\n") % (n, room)

    def topic_too_long(self):
        return ("⚠️ Tópico longo demais (máximo 256 caracteres).\n" if self.pt
                else "⚠️ Topic too long (at most 256 characters).\n")

    def status_too_long(self):
        return ("⚠️ Status longo demais (máximo 64 caracteres).\n" if self.pt
                else "⚠️ Status too long (at most 64 characters).\n")

    def nick_changed(self, old, new):
        return ("📝 %s agora é %s.\n" if self.pt else "📝 %s is now %s.\n") % (old, new)

    def nick_changed_self(self, n):
        return ("✅ Agora você é %s.\n" if self.pt else "✅ You are now %s.\n") % n

    def status_set(self, t):
        return ("✅ Status definido: %s\n" if self.pt else "✅ Status set: %s\n") % t

    # -- /whois
    def whois(self, nick, since=None, status=None, room=None, online=False, last_seen=None):
        """since: 'YYYY-MM-DD' (None: no account); last_seen: 'YYYY-MM-DD HH:MM'."""
        parts = []
        if since:
            parts.append(("registrado desde %s" if self.pt else "registered since %s") % since)
        else:
            parts.append("sem conta" if self.pt else "no account")
        if status:
            parts.append("status: %s" % status)
        if room:
            parts.append(("sala: %s" if self.pt else "room: %s") % room)
        if online:
            parts.append("online")
        elif last_seen:
            parts.append(("visto por último em %s UTC" if self.pt else "last seen %s UTC") % last_seen)
        else:
            parts.append("offline")
        return "👤 %s — %s\n" % (nick, ", ".join(parts))


EN = Texts("en")
PT_ = Texts("pt")


def texts(lang):
    return PT_ if lang == "pt" else EN


def today_utc():
    return time.strftime("%Y-%m-%d", time.gmtime())


# --- logging in ---------------------------------------------------------------


def expect_welcome(c, T, nick, timeout=None):
    c.expect(T.welcome(nick), timeout, what="welcome")
    c._skip_welcome_extra = True  # the harness skips a further /help line, as for the pt welcome


def give_nick(c, T, nick, raw=None, timeout=5.0):
    """Sends the nickname (after the prompt was read).  A nickname whose last
    holder has just closed its connection is freed once the server has
    noticed the close: while the answer is "taken" (and the prompt again),
    try again for up to `timeout` seconds."""
    raw = raw if raw is not None else (nick + "\n").encode()
    taken = T.nick_taken(nick).encode()
    deadline = time.monotonic() + timeout
    while True:
        c.send_raw(raw)
        c._wait_for(lambda: len(c.buf) >= len(taken) or not taken.startswith(bytes(c.buf)), 5.0)
        if not bytes(c.buf).startswith(taken) or time.monotonic() > deadline:
            return
        c.expect(taken + T.prompt.encode(), what="nickname taken")
        log("%s: %r still taken, trying again" % (c.name, nick))
        time.sleep(0.05)


def connect(d, T, nick, name=None, **kw):
    """A raw client that logged in under an unregistered `nick` (plain welcome)."""
    c = Client(d.port, name=name or nick, **kw)
    try:
        c.expect(T.prompt, what="nickname prompt")
        give_nick(c, T, nick)
        expect_welcome(c, T, nick)
    except BaseException:
        c.close()
        raise
    return c


def to_password_prompt(d, T, nick, name=None, stream=None):
    """Connect, give `nick`, and get its password prompt (nothing after it)."""
    c = stream or Client(d.port, name=name or nick)
    try:
        c.expect(T.prompt, what="nickname prompt")
        give_nick(c, T, nick)
        c.expect(T.password_prompt(nick), timeout=10, what="password prompt")
    except BaseException:
        c.close()
        raise
    return c


def login_account(d, T, nick, password, name=None, timeout=15):
    """Connect and log in to the account `nick` with its password."""
    c = to_password_prompt(d, T, nick, name=name)
    try:
        c.send_line(password)
        c.expect(T.identified(nick), timeout=timeout, what="identified")
        expect_welcome(c, T, nick)
    except BaseException:
        c.close()
        raise
    return c


def register(d, T, nick, password, name=None, timeout=15):
    """Log in under `nick` (unregistered) and /register it; the client stays logged in."""
    c = connect(d, T, nick, name=name)
    try:
        c.send_line("/register " + password)
        c.expect(T.account_registered(nick), timeout=timeout, what="/register")
    except BaseException:
        c.close()
        raise
    return c


def quit_(c, T):
    c.send_line("/quit")
    c.expect(T.quit_self)
    c.expect_eof()
    c.close()


def join(T, room, members, create=True):
    """members (logged-in clients, .name = nick) join `room` in order; the first creates it."""
    if create:
        members[0].send_line("/create " + room)
        members[0].expect(T.created(room))
    for i, c in enumerate(members):
        c.send_line("/join " + room)
        c.expect(T.joined(room))
        for prev in members[:i]:
            prev.expect(T.joined_other(c.name, room))


def read_lines(c, n, timeout=10.0):
    return [c.read_line(timeout) for _ in range(n)]


# --- which shard a connection is on (--metrics) --------------------------------


class ShardProbe:
    """Reads chatd_shard_connections_accepted_total{shard="i"} from --metrics.

    Connect one client at a time and call `shard_of_next()` after its prompt
    arrived: the shard whose counter went up accepted it.
    """

    def __init__(self, port):
        self.port = port
        # Settle first: the harness's own readiness connection may be
        # counted a moment after the daemon answered it.
        self.last = self.read()
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            time.sleep(0.1)
            now = self.read()
            if now == self.last:
                break
            self.last = now

    def read(self):
        url = "http://%s:%d/metrics" % (HOST, self.port)
        # The metrics endpoint starts beside the shards; on a slow build
        # (sanitizers) it may not listen yet when the first client is in.
        deadline = time.monotonic() + 10
        while True:
            try:
                with urllib.request.urlopen(url, timeout=5) as r:
                    text = r.read().decode()
                break
            except OSError:
                if time.monotonic() >= deadline:
                    raise
                time.sleep(0.05)
        out = {}
        for m in re.finditer(r'^chatd_shard_connections_accepted_total\{shard="(\d+)"\} (\d+)$', text, re.M):
            out[int(m.group(1))] = int(m.group(2))
        if not out:
            fail("no per-shard accepted counters in /metrics: %s" % short(text))
        return out

    def shard_of_next(self, timeout=5.0):
        deadline = time.monotonic() + timeout
        while True:
            now = self.read()
            grew = [s for s in now if now[s] != self.last.get(s, 0)]
            if sum(now.values()) - sum(self.last.values()) == 1 and len(grew) == 1:
                self.last = now
                return grew[0]
            if time.monotonic() > deadline:
                fail("could not tell the shard of a new connection: before %s, now %s" % (self.last, now))
            time.sleep(0.02)


def metrics_args():
    """Extra chatd arguments for a ShardProbe, and the metrics port."""
    port = free_port()
    return ["--metrics", "%s:%d" % (HOST, port)], port


def connect_on_shards(d, T, probe, nicks, shards_wanted=None):
    """Log the nicks in one at a time; returns (clients, {nick: shard})."""
    cs, where = [], {}
    try:
        for n in nicks:
            c = Client(d.port, name=n)
            cs.append(c)
            c.expect(T.prompt, what="nickname prompt")
            where[n] = probe.shard_of_next()
            c.send_line(n)
            expect_welcome(c, T, n)
    except BaseException:
        for c in cs:
            c.close()
        raise
    log("shards: %s" % where)
    return cs, where
