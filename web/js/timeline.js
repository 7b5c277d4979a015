// One conversation's lines, kept in the room's order. Owned by the page's
// one thread.
//
// Room events carry `seq`, the room's order (the same on every connection):
// lines are sorted by it and a message already shown (live, from the join
// history or from a /history) is shown once. Lines without seq (notices,
// private messages, events without a seq) go after everything seen so far. If the server comes
// back with other messages under seqs already shown (it lost its state), a
// new "epoch" starts below the old lines instead of mixing the two.
import { el, timeElement } from "./dom.js";

const MESSAGE = 0;
const EVENT = 1;
const LOCAL = 2;

function before(a, b) {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] < b[i];
  return false;
}

export class Timeline {
  constructor(label) {
    this.list = el("ol", { class: "timeline", "aria-label": label });
    this.pending = el("ol", { class: "timeline pending-list", "aria-label": `${label}: sending` });
    this.items = [];  // {key, node}, sorted by key
    this.messages = new Map();  // seq -> "nick\ntext", this epoch only
    this.epoch = 0;
    this.maxSeq = 0;
    this.counter = 0;
  }

  get oldestSeq() {
    const first = this.items.find((it) => it.key[0] === this.epoch && it.key[2] === MESSAGE);
    return first ? first.key[1] : null;
  }

  get messageCount() {
    return this.messages.size;
  }

  // A message or history line. Returns the new <li>, or null if shown already.
  addMessage(ev, mine) {
    const seq = Number.isInteger(ev.seq) && ev.seq > 0 ? ev.seq : null;
    if (seq !== null) {
      const known = this.messages.get(seq);
      const content = `${ev.nick}\n${ev.text}`;
      if (known === content) return null;
      if (known !== undefined) this.newEpoch();
      this.messages.set(seq, content);
      this.maxSeq = Math.max(this.maxSeq, seq);
    }
    const node = el("li", { class: mine ? "msg mine" : "msg", "data-seq": seq },
      el("p", { class: "meta" }, el("span", { class: "nick" }, ev.nick), " ", timeElement(ev.time)),
      el("p", { class: "text" }, ev.text));
    this.insert(seq === null ? [this.epoch, this.maxSeq, LOCAL, this.counter++] :
      [this.epoch, seq, MESSAGE, this.counter++], node);
    return node;
  }

  // A join, leave, topic change...: ordered by its seq, never de-duplicated
  // (these are only ever sent live, once).
  addEvent(ev, text) {
    const has = Number.isInteger(ev.seq) && ev.seq > 0;
    const seq = has ? ev.seq : this.maxSeq;
    if (has) this.maxSeq = Math.max(this.maxSeq, seq);
    const node = el("li", { class: "event", "data-event-seq": ev.seq }, el("span", {}, text), " ",
      timeElement(ev.time));
    this.insert([this.epoch, seq, EVENT, this.counter++], node);
    return node;
  }

  // A notice or private line: after everything so far.
  addLocal(node) {
    this.insert([this.epoch, this.maxSeq, LOCAL, this.counter++], node);
    return node;
  }

  addPending(text) {
    const node = el("li", { class: "msg pending" },
      el("p", { class: "meta" }, el("span", { class: "state" }, "sending…")), el("p", { class: "text" }, text));
    this.pending.append(node);
    return node;
  }

  // The server echoed one of our messages: they come back in the order sent.
  settleOldestPending() {
    const first = this.pending.querySelector("li.pending:not(.failed)");
    if (first) first.remove();
  }

  failPending() {
    for (const li of this.pending.querySelectorAll("li.pending:not(.failed)")) {
      li.classList.add("failed");
      li.querySelector(".state").textContent = "not sent (connection lost)";
    }
  }

  newEpoch() {
    this.epoch += 1;
    this.messages.clear();
    this.maxSeq = 0;
    this.insert([this.epoch, -1, LOCAL, this.counter++],
      el("li", { class: "notice divider" }, "The server restarted: the lines below are a new history."));
  }

  insert(key, node) {
    let i = this.items.length;
    while (i > 0 && before(key, this.items[i - 1].key)) i--;
    const next = this.items[i];
    this.items.splice(i, 0, { key, node });
    this.list.insertBefore(node, next ? next.node : null);
  }
}
