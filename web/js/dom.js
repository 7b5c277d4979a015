// DOM helpers. Text always goes in as text nodes (textContent): nothing a
// user typed is ever parsed as HTML.

// el("li", {class: "msg", "data-seq": 4}, "text", childNode, ...)
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "class") node.className = value;
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return node;
}

export function clear(node) {
  node.replaceChildren();
}

export const $ = (id) => document.getElementById(id);

// "14:03" in the browser's time zone; with the date when not today.
export function timeElement(iso) {
  const d = iso ? new Date(iso) : new Date();
  if (Number.isNaN(d.getTime())) return el("time", {}, "");
  const today = new Date().toDateString() === d.toDateString();
  const hm = d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  const shown = today ? hm : `${d.toLocaleDateString([], { day: "numeric", month: "short" })} ${hm}`;
  return el("time", { datetime: d.toISOString(), title: d.toLocaleString() }, shown);
}
