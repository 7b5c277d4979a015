// The conversations the page shows: one per room joined in this session and
// one per private correspondent, each with its own timeline and unread count.
// Owned by the page's one thread.
import { el } from "./dom.js";
import { Timeline } from "./timeline.js";

export class View {
  constructor(kind, name) {
    this.kind = kind;  // "room" | "pm"
    this.name = name;
    this.key = `${kind}:${name}`;
    this.unread = 0;
    this.topic = "";
    this.timeline = new Timeline(kind === "room" ? `Messages in ${name}` : `Conversation with ${name}`);
    this.node = el("div", { class: "view", "data-view": this.key, hidden: true }, this.timeline.list,
      this.timeline.pending);
    // Scrolling back: how many messages the last /history asked for.
    this.historyAsked = 0;
    this.historyDone = false;
  }

  get title() {
    return this.kind === "room" ? this.name : `${this.name} (private)`;
  }
}

export class Views {
  constructor(container) {
    this.container = container;
    this.map = new Map();
    this.active = null;
  }

  get(kind, name) {
    const key = `${kind}:${name}`;
    let v = this.map.get(key);
    if (!v) {
      v = new View(kind, name);
      this.map.set(key, v);
      this.container.append(v.node);
    }
    return v;
  }

  find(kind, name) {
    return this.map.get(`${kind}:${name}`) || null;
  }

  of(kind) {
    return [...this.map.values()].filter((v) => v.kind === kind);
  }

  activate(view) {
    if (this.active) this.active.node.hidden = true;
    this.active = view;
    if (view) {
      view.node.hidden = false;
      view.unread = 0;
    }
  }

  totalUnread() {
    let n = 0;
    for (const v of this.map.values()) n += v.unread;
    return n;
  }
}

// A list of buttons, one per name: the one shown has aria-current, each
// says its unread count (visibly and to screen readers).
export function renderNavList(ul, entries, onPick) {
  const focused = document.activeElement && ul.contains(document.activeElement)
    ? document.activeElement.dataset.name : null;
  ul.replaceChildren(...entries.map(({ name, current, unread, note }) => {
    // The accessible name is the visible text: "REDES joined 3 unread".
    const button = el("button", {
      type: "button", class: "nav-item", "data-name": name, "aria-current": current ? "true" : null,
    }, el("span", { class: "nav-name" }, name),
    note ? " " : null, note ? el("span", { class: "nav-note" }, note) : null,
    unread ? " " : null,
    unread ? el("span", { class: "badge" }, String(unread), el("span", { class: "sr-only" }, " unread")) : null);
    button.addEventListener("click", () => onPick(name));
    return el("li", {}, button);
  }));
  if (focused !== null) {
    const again = [...ul.querySelectorAll("button")].find((b) => b.dataset.name === focused);
    if (again) again.focus();
  }
}
