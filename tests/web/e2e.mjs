// The web chat in Debian's chromium, driven by playwright-core. Run by
// browser_e2e.py, which owns the daemon and the nc user: this script asks it
// for those steps over stdin/stdout ("@@ {json}" out, one JSON reply line in).
//
// Environment: CHATD_WEB_URL (http://127.0.0.1:PORT/), CHROMIUM (path),
// ARTIFACTS (a directory for screenshots), NC=0 to leave the nc user out.
// Exit status 0: every check passed; 1: a check failed (the reason printed).
import { readFileSync, mkdirSync } from "node:fs";
import { createInterface } from "node:readline";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
const URL_ = process.env.CHATD_WEB_URL;
const ARTIFACTS = process.env.ARTIFACTS || join(here, "artifacts");
const WITH_NC = process.env.NC !== "0";
const ROOM = "REDES";
const T0 = Date.now();

function log(msg) {
  console.log(`[e2e ${((Date.now() - T0) / 1000).toFixed(2)}] ${msg}`);
}

class Failure extends Error {}
function check(cond, msg) {
  if (!cond) throw new Failure(msg);
}
function same(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}

// --- the driver's side: daemon and nc -------------------------------------

const replies = [];
let waiting = null;
createInterface({ input: process.stdin }).on("line", (line) => {
  const r = JSON.parse(line);
  if (waiting) {
    const w = waiting;
    waiting = null;
    w(r);
  } else replies.push(r);
});

async function ask(op, args = {}) {
  process.stdout.write(`@@ ${JSON.stringify({ op, ...args })}\n`);
  const r = await new Promise((res) => (replies.length ? res(replies.shift()) : (waiting = res)));
  if (!r.ok) throw new Failure(`driver step ${op} failed: ${r.error}`);
  return r;
}

// --- page helpers ----------------------------------------------------------

const problems = [];  // console errors, page errors, CSP violations
let tolerateSocketErrors = false;  // while the server is down, failed reconnects are expected

function watch(page, who) {
  page.on("console", (m) => {
    if (m.type() !== "error" && m.type() !== "warning") return;
    const text = m.text();
    if (tolerateSocketErrors && /WebSocket connection to .*\/ws.* failed/.test(text)) return;
    if (m.type() === "warning" && !/Content Security Policy|Refused/i.test(text)) return;
    problems.push(`${who}: console ${m.type()}: ${text}`);
  });
  page.on("pageerror", (e) => problems.push(`${who}: uncaught ${e.name}: ${e.message}`));
}

async function newUser(browser, who, viewport, extra = {}) {
  const context = await browser.newContext({ viewport, ...extra });
  await context.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || "inline"}`);
    });
  });
  const page = await context.newPage();
  page.setDefaultTimeout(15000);
  watch(page, who);
  return { who, context, page };
}

async function until(what, fn, timeout = 15000) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    last = await fn();
    if (last) return last;
    if (Date.now() > end) throw new Failure(`timed out after ${timeout / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

// The room's message lines as the page shows them, top to bottom.
function roomLines(page, room = ROOM) {
  return page.evaluate((key) => {
    const view = [...document.querySelectorAll(".view")].find((v) => v.dataset.view === key);
    if (!view) return [];
    return [...view.querySelectorAll("ol.timeline:not(.pending-list) > li.msg")].map((li) => ({
      seq: Number(li.dataset.seq), nick: li.querySelector(".nick").textContent,
      text: li.querySelector(".text").textContent,
    }));
  }, `room:${room}`);
}

function checkOrdered(lines, who) {
  for (let i = 1; i < lines.length; i++) {
    check(lines[i].seq > lines[i - 1].seq,
      `${who}: lines out of seq order or duplicated at ${i}: ${JSON.stringify(lines.slice(Math.max(0, i - 2), i + 2))}`);
  }
  const texts = lines.map((l) => l.text);
  check(new Set(texts).size === texts.length, `${who}: a message is shown twice: ${JSON.stringify(texts)}`);
}

async function waitForTexts(user, texts, timeout = 15000) {
  return until(`${user.who} to show ${JSON.stringify(texts)}`, async () => {
    const lines = await roomLines(user.page);
    const shown = new Set(lines.map((l) => l.text));
    return texts.every((t) => shown.has(t)) ? lines : null;
  }, timeout);
}

async function login(user, nick, { keyboard = false } = {}) {
  await user.page.goto(URL_);
  await user.page.locator("#nick").waitFor();
  if (keyboard) {
    await user.page.keyboard.type(nick);  // the nickname field has the focus on load
    await user.page.keyboard.press("Enter");
  } else {
    await user.page.getByLabel("Nickname").fill(nick);
    await user.page.getByRole("button", { name: "Enter the chat" }).click();
  }
  await user.page.locator("#chat-screen:not([hidden])").waitFor();
  await until(`${user.who} to be connected`, () => user.page.locator("#conn-status.ok").count());
}

async function isPhone(user) {
  return user.page.locator("#drawer-toggle").isVisible();
}

async function openDrawer(user) {
  if (await isPhone(user)) {
    if ((await user.page.locator("#drawer-toggle").getAttribute("aria-expanded")) !== "true") {
      await user.page.locator("#drawer-toggle").click();
    }
    await user.page.locator("#sidebar.open").waitFor();
  }
}

async function joinRoom(user, room) {
  await openDrawer(user);
  await user.page.locator("#room-list button", { hasText: room }).click();
  await user.page.locator(`.view[data-view="room:${room}"]:not([hidden])`).waitFor({ state: "attached" });
  await until(`${user.who}'s title to be ${room}`,
    async () => (await user.page.locator("#view-title").textContent()) === room);
}

async function say(user, text) {
  const input = user.page.locator("#composer-input");
  await input.fill(text);
  await input.press("Enter");
}

async function shot(user, name) {
  const path = join(ARTIFACTS, `${name}.png`);
  await user.page.screenshot({ path });
  log(`screenshot ${path}`);
}

async function axe(user, what) {
  const source = readFileSync(join(here, "node_modules", "axe-core", "axe.min.js"), "utf8");
  if (!(await user.page.evaluate(() => typeof window.axe === "object"))) {
    await user.page.addScriptTag({ content: source });
  }
  const result = await user.page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ["violations"] });
    return r.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.slice(0, 3).map((n) => `${n.target.join(" ")}: ${n.failureSummary}`),
    }));
  });
  for (const v of result) log(`axe ${what}: ${v.impact} ${v.id}: ${v.help}\n    ${v.nodes.join("\n    ")}`);
  const bad = result.filter((v) => v.impact === "serious" || v.impact === "critical");
  check(bad.length === 0, `axe (${what}): ${bad.map((v) => `${v.impact} ${v.id}`).join(", ")}`);
  log(`axe ${what}: no serious or critical violation (${result.length} minor)`);
}

// --- the scenarios -----------------------------------------------------------

async function main() {
  check(URL_, "CHATD_WEB_URL is not set");
  mkdirSync(ARTIFACTS, { recursive: true });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: process.getuid && process.getuid() === 0 ? ["--no-sandbox"] : [],
  });
  try {
    await scenarios(browser);
  } finally {
    await browser.close();
  }
}

async function scenarios(browser) {
  const desktop = { width: 1280, height: 800 };
  const phone = { width: 390, height: 844 };
  const ana = await newUser(browser, "Ana (desktop)", desktop);
  const bia = await newUser(browser, "Bia (phone)", phone, { isMobile: true, hasTouch: true, deviceScaleFactor: 2 });

  // The login screen, at both sizes.
  await bia.page.goto(URL_);
  await bia.page.locator("#nick").waitFor();
  await shot(bia, "phone-login");

  log("Ana logs in with the keyboard, creates and joins the room, says two things");
  await login(ana, "Ana", { keyboard: true });
  check(await ana.page.evaluate(() => document.activeElement && document.activeElement.id === "composer-input"),
    "after logging in, the message box should have the focus");
  await ana.page.getByLabel("New room").fill(ROOM);
  await ana.page.getByLabel("New room").press("Enter");
  await ana.page.locator(`.view[data-view="room:${ROOM}"]:not([hidden])`).waitFor({ state: "attached" });
  const early = ["primeira mensagem", "segunda mensagem"];
  for (const t of early) await say(ana, t);
  await waitForTexts(ana, early);

  if (WITH_NC) {
    log("Nilo logs in over nc and joins");
    await ask("nc_login", { nick: "Nilo", room: ROOM });
  }

  log("Bia logs in on the phone, joins from the drawer: the history is there");
  await login(bia, "Bia");
  await joinRoom(bia, ROOM);
  await waitForTexts(bia, early);
  check(await bia.page.locator("#sidebar").evaluate((n) => !n.classList.contains("open")),
    "picking a room on the phone should close the drawer");

  // Everyone talks at once; the room's one order must be everybody's.
  log("three people talk at once");
  const round = [];
  const sends = [];
  for (let i = 1; i <= 5; i++) {
    for (const [who, user] of [["Ana", ana], ["Bia", bia]]) {
      const t = `${who} diz ${i}`;
      round.push({ nick: who, text: t });
      sends.push(say(user, t));
    }
    if (WITH_NC) {
      const t = `Nilo diz ${i}`;
      round.push({ nick: "Nilo", text: t });
      sends.push(ask("nc_send", { text: t }));
    }
    await Promise.all(sends.splice(0));
  }
  const hostile = '<img src=x onerror="alert(1)"> & <b>negrito</b>';
  await say(ana, hostile);
  round.push({ nick: "Ana", text: hostile });
  const all = [...early, ...round.map((m) => m.text)];
  const aLines = await waitForTexts(ana, all);
  const bLines = await waitForTexts(bia, all);
  checkOrdered(aLines, "Ana");
  checkOrdered(bLines, "Bia");
  check(same(aLines, bLines), `Ana and Bia see different lines:\n  Ana ${JSON.stringify(aLines)}\n  Bia ${JSON.stringify(bLines)}`);
  for (const m of round) {
    const line = aLines.find((l) => l.text === m.text);
    check(line && line.nick === m.nick, `${m.text} should be shown as said by ${m.nick}`);
  }
  for (const user of [ana, bia]) {
    check(await user.page.locator(".timeline img, .timeline .text b").count() === 0,
      `${user.who}: a message's markup became elements`);
    check(await user.page.locator(".timeline li.pending:not(.failed)").count() === 0,
      `${user.who}: a sent message is still marked as sending`);
  }
  if (WITH_NC) {
    const heard = (await ask("nc_lines")).lines;  // [nick] text lines, in arrival order
    const expected = aLines.filter((l) => round.some((m) => m.text === l.text) && l.nick !== "Nilo")
      .map((l) => ({ nick: l.nick, text: l.text }));
    const got = heard.filter((l) => round.some((m) => m.text === l.text));
    check(same(got, expected), `nc's order differs from the browsers':\n  nc ${JSON.stringify(got)}\n  browsers ${JSON.stringify(expected)}`);
    log(`nc heard the ${got.length} messages in the browsers' order`);
  }
  log(`same ${aLines.length} lines in the same order for everyone`);

  log("members and topic");
  await until("Ana's member list to show Bia", () => ana.page.locator("#member-list", { hasText: "Bia" }).count());
  if (WITH_NC) await until("Ana's member list to show Nilo", () => ana.page.locator("#member-list", { hasText: "Nilo" }).count());
  await say(ana, "/topic Prova na sexta");
  await until("Bia to see the topic", async () => (await bia.page.locator("#view-topic").textContent()) === "Prova na sexta");

  log("a private conversation between the browsers");
  await ana.page.getByRole("button", { name: "Write privately to Bia" }).click();
  await ana.page.locator('.view[data-view="pm:Bia"]:not([hidden])').waitFor({ state: "attached" });
  await say(ana, "segredo para a Bia");
  await until("Ana's private line to come back", () =>
    ana.page.locator('.view[data-view="pm:Bia"] li.msg:not(.pending) .text', { hasText: "segredo para a Bia" }).count());
  await until("Bia's title to count the unread message", async () => (await bia.page.title()).startsWith("(1)"));
  await openDrawer(bia);
  await bia.page.getByRole("button", { name: /^Ana 1 unread$/ }).click();
  await bia.page.locator('.view[data-view="pm:Ana"]:not([hidden]) li.msg .text', { hasText: "segredo para a Bia" }).waitFor();
  await say(bia, "oi Ana, recebi");
  await ana.page.locator('.view[data-view="pm:Bia"] li.msg:not(.pending) .text', { hasText: "oi Ana, recebi" }).waitFor();
  if (WITH_NC) {
    const heard = (await ask("nc_lines")).lines;
    check(!heard.some((l) => /segredo|recebi/.test(l.text)), "nc saw a private message");
  }
  await shot(bia, "phone-private");
  await joinRoom(ana, ROOM);  // back to the room (already in it: just shows it)
  await joinRoom(bia, ROOM);
  await shot(ana, "desktop-room");
  await shot(bia, "phone-room");
  await openDrawer(bia);
  await shot(bia, "phone-drawer");
  await bia.page.keyboard.press("Escape");
  check(await bia.page.locator("#sidebar.open").count() === 0, "Escape should close the drawer");

  if (WITH_NC) {
    log("the server restarts; Nilo comes back first and talks while the pages back off");
    const before = await roomLines(ana.page);
    tolerateSocketErrors = true;
    await ask("restart", { down_seconds: 3.5 });
    const after = ["depois 1", "depois 2", "depois 3"];
    await ask("nc_login", { nick: "Nilo", room: ROOM });
    for (const t of after) await ask("nc_send", { text: t });
    const status = await ana.page.locator("#conn-status").textContent();
    log(`Ana's status while Nilo talked: ${JSON.stringify(status)}`);
    check(/Reconnecting|lost|held/i.test(status), `the page should still be backing off, its status says ${JSON.stringify(status)}`);
    for (const user of [ana, bia]) {
      await until(`${user.who} to reconnect`, () => user.page.locator("#conn-status.ok").count(), 40000);
      const lines = await waitForTexts(user, after, 15000);
      await new Promise((r) => setTimeout(r, 1000));  // late duplicates would show by now
      const settled = await roomLines(user.page);
      checkOrdered(settled, user.who);
      const want = [...before.map((l) => l.text), ...after];
      check(same(settled.map((l) => l.text), want),
        `${user.who} after the restart:\n  shows ${JSON.stringify(settled.map((l) => l.text))}\n  want  ${JSON.stringify(want)}`);
      check(lines.length <= settled.length, "lines disappeared");
    }
    tolerateSocketErrors = false;
    log("both pages show every line once, in order, after the restart");
    await shot(ana, "desktop-after-restart");
  }

  log("accessibility (axe-core, injected in a context that bypasses the CSP)");
  const cara = await newUser(browser, "Cara (axe)", desktop, { bypassCSP: true });
  await cara.page.goto(URL_);
  await cara.page.locator("#nick").waitFor();
  await axe(cara, "login");
  await login(cara, "Cara");
  await joinRoom(cara, ROOM);
  await until("Cara to see the room's history", () => cara.page.locator(".view:not([hidden]) li.msg").count());
  await axe(cara, "room, desktop");
  await cara.page.setViewportSize(phone);
  await axe(cara, "room, phone");
  await openDrawer(cara);
  await axe(cara, "drawer, phone");

  check(problems.length === 0, `console errors or CSP violations:\n  ${problems.join("\n  ")}`);
  log("no console error, no CSP violation");
}

main().then(() => {
  log("PASS");
  process.exit(0);
}, (e) => {
  console.log(`FAIL: ${e instanceof Failure ? e.message : e.stack}`);
  if (problems.length) console.log(`console problems so far:\n  ${problems.join("\n  ")}`);
  process.exit(1);
});
