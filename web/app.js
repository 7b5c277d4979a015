// The web chat: logs in over chatd's /ws (docs/web-protocol.md), shows the
// rooms, the current room's lines in the room's order (seq), its members and
// topic, and private conversations; comes back by itself after a drop.
// Everything runs on the page's one thread.
import { $, el, timeElement } from "./js/dom.js";
import { Connection, socketUrl } from "./js/connection.js";
import { Views, renderNavList } from "./js/views.js";

const state = {
  nick: "",            // the nickname to log in with (again, after a drop)
  password: null,      // kept in memory only, to log in again after a drop
  secretCandidate: null,  // typed in /register, /identify, /password: kept once accepted
  me: "",
  loggedIn: false,
  everLoggedIn: false,
  nickToSend: null,
  passwordSent: false,
  room: null,          // the room we are in, or the one to rejoin after a drop
  rejoining: false,
  pendingCreate: null,
  joinRequested: null,
  topicAsked: false,
  rooms: [],
  members: [],
};

const log = $("log");
const views = new Views(log);
const home = views.get("home", "chatd");
home.node.append($("empty-hint"));
views.activate(home);

const conn = new Connection(socketUrl(), { open: onOpen, event: onEvent, down: onDown });

// --- output helpers -------------------------------------------------------

function send(line) {
  return conn.send(line);
}

function announce(text) {
  const live = $("live");
  live.append(el("p", {}, text));
  while (live.childElementCount > 5) live.firstElementChild.remove();
}

// Runs `fn`, which adds lines to `view`, keeping the reader's place: a
// reader at the bottom stays at the bottom, one reading older lines keeps
// seeing the same lines.
function keepingScroll(view, fn) {
  if (view !== views.active) return fn();
  const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 48;
  const fromBottom = log.scrollHeight - log.scrollTop;
  const result = fn();
  if (atBottom) log.scrollTop = log.scrollHeight;
  else log.scrollTop = log.scrollHeight - fromBottom;
  return result;
}

function notice(text, { view = views.active, error = false, pre = false } = {}) {
  const node = el("li", { class: `notice${error ? " error" : ""}${pre ? " pre" : ""}` }, text);
  keepingScroll(view, () => view.timeline.addLocal(node));
  if (error) announce(text);
}

function roomView(name) {
  return views.get("room", name);
}

function pmView(nick) {
  const v = views.get("pm", nick);
  renderLists();
  return v;
}

// --- rendering ------------------------------------------------------------

function renderHeader() {
  const v = views.active;
  $("view-title").textContent = v.kind === "home" ? "chatd" : v.title;
  let topic = "";
  if (v.kind === "room") topic = v.topic ? v.topic : (v.name === state.room ? "No topic" : "You are not in this room");
  else if (v.kind === "pm") topic = "Private conversation";
  else topic = state.room ? "" : "Not in a room";
  $("view-topic").textContent = topic;
  const unread = views.totalUnread();
  $("drawer-toggle").replaceChildren("Rooms", ...(unread ? [" ", el("span", { class: "badge" }, String(unread),
    el("span", { class: "sr-only" }, " unread"))] : []));
  document.title = `${unread ? `(${unread}) ` : ""}${v.kind === "home" ? "" : `${v.title} · `}chatd`;
  const canScrollBack = v.kind === "room" && v.name === state.room;
  $("older-row").hidden = !canScrollBack;
  const older = $("older");
  older.disabled = v.historyDone;
  older.textContent = v.historyDone ? "No older messages" : "Load older messages";
  $("leave-button").hidden = !state.room;
}

function renderLists() {
  const active = views.active;
  const roomNames = [...state.rooms];
  for (const v of views.of("room")) if (!roomNames.includes(v.name)) roomNames.push(v.name);
  renderNavList($("room-list"), roomNames.map((name) => {
    const v = views.find("room", name);
    return { name, current: v !== null && v === active, unread: v ? v.unread : 0,
      note: name === state.room ? "joined" : "" };
  }), pickRoom);
  renderNavList($("pm-list"), views.of("pm").map((v) => ({ name: v.name, current: v === active, unread: v.unread })),
    (nick) => show(pmView(nick)));
  renderHeader();
}

function renderMembers() {
  const ul = $("member-list");
  ul.replaceChildren(...state.members.map((m) => {
    const status = m.status ? el("span", { class: "status" }, m.status) : null;
    if (m.nick === state.me) {
      return el("li", { class: "member self" }, el("span", { class: "member-nick" }, `${m.nick} (you)`), status);
    }
    const b = el("button", { type: "button", class: "member-nick", "aria-label": `Write privately to ${m.nick}` },
      m.nick);
    b.addEventListener("click", () => {
      show(pmView(m.nick));
      $("composer-input").focus();
    });
    return el("li", { class: "member" }, b, status);
  }));
  $("members-heading").textContent = state.room ? `Members (${state.members.length})` : "Members";
}

function show(view) {
  views.activate(view);
  closePanels();
  renderLists();
  log.scrollTop = log.scrollHeight;
}

function pickRoom(name) {
  if (name === state.room) return show(roomView(name));
  state.joinRequested = name;
  if (!send(`/join ${name}`)) notice("Not connected: wait for the connection to come back.", { error: true });
}

let whoTimer = null;
function refreshMembersSoon() {
  clearTimeout(whoTimer);
  whoTimer = setTimeout(() => {
    if (state.room && state.loggedIn) send("/who");
  }, 300);
}

// --- scrolling back: /history with a bigger n, de-duplicated by seq ------

let older = null;  // {view, count} while a /history is being answered
let olderTimer = null;

function loadOlder() {
  const v = views.active;
  if (older || v.kind !== "room" || v.name !== state.room || v.historyDone || !state.loggedIn) return;
  const want = Math.max(50, v.historyAsked * 2, v.timeline.messageCount + 50);
  v.historyAsked = want;
  older = { view: v, count: v.timeline.messageCount };
  $("older").textContent = "Loading…";
  send(`/history ${want}`);
  olderAnswerArrived();
}

// The answer has no end mark: it is over when nothing came for a moment.
function olderAnswerArrived() {
  clearTimeout(olderTimer);
  olderTimer = setTimeout(finishOlder, 700);
}

function finishOlder() {
  if (!older) return;
  if (older.view.timeline.messageCount <= older.count) older.view.historyDone = true;
  older = null;
  renderHeader();
}

// --- the login screen -----------------------------------------------------

// `error` null keeps the message shown (a prompt follows each refusal).
function showLogin(error, { password = false } = {}) {
  $("chat-screen").hidden = true;
  $("login-screen").hidden = false;
  $("password-row").hidden = !password;
  $("nick").readOnly = password;  // the server waits for this nickname's password
  $("password-nick").textContent = state.nick;
  if (error !== null) $("login-error").textContent = error;
  $("login-button").disabled = false;
  $("login-button").textContent = password ? "Log in" : "Enter the chat";
  const field = password ? $("password") : $("nick");
  if (password) $("password").value = "";
  field.focus();
}

function showChat() {
  $("login-screen").hidden = true;
  $("chat-screen").hidden = false;
  $("composer-input").focus();
}

// Another nickname needs a new connection: this one waits for a password.
$("other-nick").addEventListener("click", () => {
  conn.drop(false);
  state.password = null;
  showLogin("");
  $("nick").select();
});

$("login-form").addEventListener("submit", (e) => {
  e.preventDefault();
  $("login-error").textContent = "";
  if (!$("password-row").hidden) {
    const pw = $("password").value;
    if (!pw) return void ($("login-error").textContent = "Type the password.");
    state.password = pw;
    state.passwordSent = true;
    if (!send(pw)) showLogin("Not connected: try again.");
    else $("login-button").disabled = true;
    return;
  }
  const nick = $("nick").value.trim();
  if (!nick) return void ($("login-error").textContent = "Pick a nickname.");
  if (nick.startsWith("/")) return void ($("login-error").textContent = "A nickname cannot start with /.");
  state.nick = nick;
  state.password = null;
  $("login-button").disabled = true;
  if (conn.open) send(nick);
  else {
    state.nickToSend = nick;
    conn.start();
  }
});

// --- the connection -------------------------------------------------------

function setStatus(text, { retry = false, ok = false } = {}) {
  const s = $("conn-status");
  s.textContent = text;
  s.classList.toggle("ok", ok);
  $("retry-now").hidden = !retry;
}

function onOpen() {
  state.passwordSent = false;
  if (state.everLoggedIn) state.nickToSend = state.nick;
  setStatus("Logging in…");
}

function onDown(e, retryMs) {
  const wasLoggedIn = state.loggedIn;
  state.loggedIn = false;
  clearTimeout(whoTimer);
  older = null;
  for (const v of views.map.values()) v.timeline.failPending();
  if (!state.everLoggedIn) {  // still on the login screen: no retrying behind the user's back
    if (retryMs === null) return;  // ended on purpose (ours, or after a refusal already shown)
    conn.drop(false);
    showLogin($("login-error").textContent || "Cannot reach the chat server. Try again.");
    return;
  }
  if (retryMs === null) return setStatus("Disconnected.");
  setStatus(`Connection lost. Reconnecting in ${Math.max(1, Math.round(retryMs / 1000))} s…`, { retry: true });
  if (wasLoggedIn) {
    if (state.room) notice("Connection lost: reconnecting…", { view: roomView(state.room) });
    announce("Connection lost. Reconnecting.");
  }
}

function onLoggedIn(nick) {
  state.loggedIn = true;
  state.me = nick;
  state.nick = nick;
  conn.settled();
  $("me").textContent = nick;
  setStatus("Connected", { ok: true });
  if (!state.everLoggedIn) {
    state.everLoggedIn = true;
    showChat();
  } else if (!$("login-screen").hidden) {
    showChat();
  }
  send("/rooms");
  if (state.room) {
    state.rejoining = true;
    send(`/join ${state.room}`);
  }
  renderLists();
}

const handlers = {
  prompt(ev) {
    if (ev.want === "password") {
      if (state.password !== null && !state.passwordSent) {
        state.passwordSent = true;
        send(state.password);
      } else {
        showLogin(null, { password: true });
      }
      return;
    }
    if (state.nickToSend) {
      send(state.nickToSend);
      state.nickToSend = null;
    } else if ($("login-screen").hidden) {
      showLogin("Log in again.");
    }
  },
  welcome: (ev) => onLoggedIn(ev.nick),
  identified(ev) {
    if (!state.loggedIn) return onLoggedIn(ev.nick);
    state.password = state.secretCandidate;
    notice(`Logged in to the account ${ev.nick}.`);
  },
  registered(ev) {
    state.password = state.secretCandidate;
    notice(`The nickname ${ev.nick} is yours now: it asks for this password from the next login on.`);
  },
  password_changed() {
    state.password = state.secretCandidate;
    notice("Password changed.");
  },
  help: (ev) => notice(ev.text, { pre: true }),
  rooms(ev) {
    state.rooms = Array.isArray(ev.rooms) ? ev.rooms : [];
    renderLists();
  },
  room_created(ev) {
    notice(`Room ${ev.room} created.`);
    if (state.pendingCreate === ev.room) pickRoom(ev.room);
    state.pendingCreate = null;
    send("/rooms");
  },
  joined(ev) {
    const v = roomView(ev.room);
    const steal = !state.rejoining || views.active.kind !== "pm" || state.joinRequested === ev.room;
    state.room = ev.room;
    state.joinRequested = null;
    state.members = [];
    v.historyDone = false;
    v.historyAsked = 0;
    v.topic = "";  // a topic event follows when there is one
    if (steal) show(v);
    // No "you joined" line: it would have no seq to sort by, and the join
    // history (older lines) is still on its way.
    if (state.rejoining) {
      state.rejoining = false;
      send("/history 200");  // whatever was said while we were away
    }
    refreshMembersSoon();
    renderMembers();
    renderLists();
  },
  left() {
    if (state.room) notice(`You left ${state.room}.`, { view: roomView(state.room) });
    state.room = null;
    state.members = [];
    renderMembers();
    renderLists();
  },
  bye() {
    conn.drop(false);
    location.reload();
  },
  message(ev) {
    const v = roomView(ev.room);
    const mine = ev.nick === state.me;
    const node = keepingScroll(v, () => v.timeline.addMessage(ev, mine));
    if (mine) v.timeline.settleOldestPending();
    if (node && !mine) {
      if (v !== views.active) v.unread += 1;
      if (v === views.active) announce(`${ev.nick}: ${ev.text}`);
      renderLists();
    }
  },
  history(ev) {
    const v = roomView(ev.room);
    keepingScroll(v, () => v.timeline.addMessage(ev, ev.nick === state.me));
    if (older && older.view === v) olderAnswerArrived();
  },
  history_empty(ev) {
    if (older && older.view.name === ev.room) {
      older.view.historyDone = true;
      older = null;
      renderHeader();
    }
  },
  join(ev) {
    if (ev.nick === state.me) return;  // the title says it
    roomEvent(ev, `${ev.nick} joined`);
    if (!state.members.some((m) => m.nick === ev.nick)) {
      state.members.push({ nick: ev.nick, status: "" });
      renderMembers();
    }
    refreshMembersSoon();
  },
  leave(ev) {
    roomEvent(ev, ev.nick === state.me ? `You left ${ev.room}` : `${ev.nick} left the room`);
    dropMember(ev.nick);
  },
  quit(ev) {
    roomEvent(ev, `${ev.nick} left the chat`);
    dropMember(ev.nick);
  },
  topic(ev) {
    const v = roomView(ev.room);
    v.topic = ev.topic || "";
    if (state.topicAsked) notice(v.topic ? `Topic: ${v.topic}` : "No topic set.", { view: v });
    state.topicAsked = false;
    renderHeader();
  },
  topic_changed(ev) {
    const v = roomView(ev.room);
    v.topic = ev.topic || "";
    roomEvent(ev, v.topic ? `${ev.nick} changed the topic to: ${v.topic}` : `${ev.nick} cleared the topic`);
    renderHeader();
  },
  nick_changed(ev) {
    roomEvent(ev, `${ev.nick} is now ${ev.new_nick}`);
    const m = state.members.find((x) => x.nick === ev.nick);
    if (m) m.nick = ev.new_nick;
    if (ev.nick === state.me) handlers.nick({ nick: ev.new_nick });
    renderMembers();
  },
  nick(ev) {
    state.me = ev.nick;
    state.nick = ev.nick;
    $("me").textContent = ev.nick;
    renderMembers();
  },
  members(ev) {
    if (ev.room !== state.room) return;
    state.members = Array.isArray(ev.members) ? ev.members : [];
    renderMembers();
  },
  status: (ev) => notice(ev.status ? `Your status: ${ev.status}` : "Status cleared."),
  private(ev) {
    const v = pmView(ev.from);
    keepingScroll(v, () => v.timeline.addMessage({ nick: ev.from, text: ev.text, time: ev.time }, false));
    if (v !== views.active) v.unread += 1;
    announce(`Private message from ${ev.from}: ${ev.text}`);
    renderLists();
  },
  private_sent(ev) {
    const v = pmView(ev.to);
    keepingScroll(v, () => v.timeline.addMessage({ nick: state.me, text: ev.text, time: ev.time }, true));
    v.timeline.settleOldestPending();
  },
  private_queued: (ev) => notice(`${ev.to} is offline: they get it at their next login.`, { view: pmView(ev.to) }),
  whois(ev) {
    const parts = [ev.registered ? `registered since ${new Date(ev.registered).toLocaleDateString()}` : "no account"];
    if (ev.status) parts.push(`status: ${ev.status}`);
    if (ev.room) parts.push(`room: ${ev.room}`);
    if (ev.online) parts.push("online");
    else if (ev.last_seen) parts.push(`last seen ${new Date(ev.last_seen).toLocaleString()}`);
    notice(`${ev.nick}: ${parts.join(", ")}`);
  },
  // --cluster: this server lost Redis for a while; then it is back and has caught up.
  cluster_paused: (ev) => notice("Chat across servers paused (no connection to Redis); messages are held.",
    { view: roomView(ev.room) }),
  cluster_resumed: (ev) => notice("Chat across servers resumed.", { view: roomView(ev.room) }),
  error: onError,
};

function roomEvent(ev, text) {
  const v = roomView(ev.room);
  keepingScroll(v, () => v.timeline.addEvent(ev, text));
}

function dropMember(nick) {
  state.members = state.members.filter((m) => m.nick !== nick);
  renderMembers();
  refreshMembersSoon();
}

function onError(ev) {
  const text = ev.message || ev.code;
  if (!state.loggedIn) {
    switch (ev.code) {
      case "nick_taken":
        if (state.everLoggedIn) {  // our old connection is still being let go
          setStatus("The nickname is still held by the lost connection: retrying…", { retry: true });
          conn.drop(true);
          return;
        }
        return showLogin(text);
      case "nick_invalid":
        return showLogin(text);
      case "wrong_password":
      case "password_invalid":
        state.password = null;
        return showLogin(text, { password: true });
      case "too_many_attempts":
      case "login_throttled":
        conn.drop(false);
        state.everLoggedIn = false;
        return showLogin(text);
      default:
        if (!state.everLoggedIn) return showLogin(text);
        return setStatus(text, { retry: true });
    }
  }
  switch (ev.code) {
    case "room_exists":
      if (state.pendingCreate) pickRoom(state.pendingCreate);
      state.pendingCreate = null;
      break;
    case "already_in_room":
      if (state.room) show(roomView(state.room));
      state.joinRequested = null;
      return;
    case "no_such_room":
      if (state.rejoining) {
        state.rejoining = false;
        state.room = null;
      }
      state.joinRequested = null;
      send("/rooms");
      break;
    case "message_outside_room":
    case "not_in_room":
      views.active.timeline.failPending();
      break;
    case "shutting_down":  // not the user's mistake: the page comes back by itself
      return notice(text);
    default:
  }
  notice(text, { error: true });
}

function onEvent(ev) {
  const h = Object.prototype.hasOwnProperty.call(handlers, ev.type) ? handlers[ev.type] : null;
  if (h) h(ev);
}

// --- what the user does ---------------------------------------------------

function rememberSecret(line) {
  const m = /^\/(?:register|registrar|identify|identificar)\s+(.+)$/i.exec(line)
    || /^\/(?:password|senha)\s+\S+\s+(.+)$/i.exec(line);
  if (m) state.secretCandidate = m[1].trim();
}

$("composer").addEventListener("submit", (e) => {
  e.preventDefault();
  const input = $("composer-input");
  const text = input.value.replace(/[\r\n]+/g, " ").trim();  // one frame, one line
  if (!text) return;
  const v = views.active;
  if (!state.loggedIn) return notice("Not connected: the message was not sent.", { error: true });
  if (text.startsWith("/")) {
    rememberSecret(text);
    if (/^\/(topic|topico)$/i.test(text)) state.topicAsked = true;
    send(text);
  } else if (v.kind === "pm") {
    send(`/msg ${v.name} ${text}`);
    keepingScroll(v, () => v.timeline.addPending(text));
  } else if (v.kind === "room" && v.name === state.room) {
    send(text);
    keepingScroll(v, () => v.timeline.addPending(text));
  } else {
    return notice("Join a room first (pick one in the room list).", { error: true });
  }
  input.value = "";
  log.scrollTop = log.scrollHeight;
});

$("create-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const name = $("create-name").value.trim();
  if (!name) return;
  state.pendingCreate = name;
  if (send(`/create ${name}`)) $("create-name").value = "";
});

$("pm-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const nick = $("pm-nick").value.trim();
  if (!nick) return;
  $("pm-nick").value = "";
  show(pmView(nick));
  $("composer-input").focus();
});

$("rooms-refresh").addEventListener("click", () => send("/rooms"));
$("help-button").addEventListener("click", () => send("/help"));
$("leave-button").addEventListener("click", () => send("/leave"));
$("quit-button").addEventListener("click", () => {
  if (!send("/quit")) location.reload();
});
$("retry-now").addEventListener("click", () => conn.retryNow());
$("older").addEventListener("click", loadOlder);
log.addEventListener("scroll", () => {
  if (log.scrollTop < 24 && log.scrollHeight > log.clientHeight) loadOlder();
});

// --- the phone layout's drawers -------------------------------------------

const panels = [[$("sidebar"), $("drawer-toggle")], [$("members"), $("members-toggle")]];

function closePanels() {
  for (const [panel, toggle] of panels) {
    panel.classList.remove("open");
    toggle.setAttribute("aria-expanded", "false");
  }
  $("chat-screen").classList.remove("panel-open");
}

// A tap on the dimmed page around an open drawer closes it.
$("chat-screen").addEventListener("click", (e) => {
  if (e.target === $("chat-screen")) closePanels();
});

for (const [panel, toggle] of panels) {
  panel.querySelector("[data-close]").addEventListener("click", () => {
    closePanels();
    toggle.focus();
  });
  toggle.addEventListener("click", () => {
    const open = !panel.classList.contains("open");
    closePanels();
    if (!open) return;
    panel.classList.add("open");
    toggle.setAttribute("aria-expanded", "true");
    $("chat-screen").classList.add("panel-open");
    const first = panel.querySelector("button:not([data-close]), input");
    if (first) first.focus();
  });
}

document.addEventListener("keydown", (e) => {
  if (e.key !== "Escape") return;
  const open = panels.find(([panel]) => panel.classList.contains("open"));
  if (!open) return;
  closePanels();
  open[1].focus();
});

$("nick").focus();
