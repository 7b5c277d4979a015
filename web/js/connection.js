// One WebSocket to chatd's /ws, reopened after a drop with exponential
// backoff (1 s, 2 s, 4 s ... at most 30 s, each with ±25 % jitter so a
// restarted server is not hit by every page at the same instant).
// Owned by the page's one thread, like everything here.

const BASE_MS = 1000;
const MAX_MS = 30000;

export function socketUrl(loc = window.location) {
  return `${loc.protocol === "https:" ? "wss:" : "ws:"}//${loc.host}/ws`;
}

export class Connection {
  // handlers: open(), event(obj), down(closeEvent, retryMs|null)
  constructor(url, handlers) {
    this.url = url;
    this.handlers = handlers;
    this.ws = null;
    this.wanted = false;
    this.failures = 0;
    this.timer = null;
  }

  get open() {
    return this.ws !== null && this.ws.readyState === WebSocket.OPEN;
  }

  start() {
    this.wanted = true;
    if (this.ws === null && this.timer === null) this.connect();
  }

  // The login went through: the next drop starts again from 1 s.
  settled() {
    this.failures = 0;
  }

  retryNow() {
    if (!this.wanted || this.ws !== null) return;
    clearTimeout(this.timer);
    this.timer = null;
    this.connect();
  }

  // Ends this socket on purpose; `reconnect` says whether to come back.
  drop(reconnect) {
    this.wanted = reconnect;
    if (!reconnect) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.ws) this.ws.close(1000);
  }

  send(line) {
    if (!this.open) return false;
    this.ws.send(line);
    return true;
  }

  connect() {
    this.timer = null;
    const ws = new WebSocket(this.url);
    this.ws = ws;
    ws.onopen = () => this.handlers.open();
    ws.onmessage = (e) => {
      if (typeof e.data !== "string") return;
      let obj;
      try {
        obj = JSON.parse(e.data);
      } catch {
        return;  // not ours to show
      }
      if (obj && typeof obj.type === "string") this.handlers.event(obj);
    };
    ws.onerror = () => {};  // onclose follows and decides
    ws.onclose = (e) => {
      if (this.ws !== ws) return;
      this.ws = null;
      let retry = null;
      if (this.wanted) {
        const base = Math.min(MAX_MS, BASE_MS * 2 ** Math.min(this.failures, 10));
        retry = Math.round(Math.min(MAX_MS, base * (0.75 + Math.random() * 0.5)));
        this.failures += 1;
        this.timer = setTimeout(() => this.connect(), retry);
      }
      this.handlers.down(e, retry);
    };
  }
}
