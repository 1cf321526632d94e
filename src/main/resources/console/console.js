// Shared helpers of the console's pages: DOM building (text only, never HTML from data), the data API, formatting.

/** An element: el('td', {class: 'x', title: 't'}, 'text', otherElement). Children that are strings become text. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'dataset') Object.assign(node.dataset, value);
    else if (name === 'style') Object.assign(node.style, value); // CSSOM: allowed by the page's CSP
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** GET a console data endpoint as JSON; a 401 sends the browser to the sign-in page. */
export async function api(path) {
  const res = await fetch(path, { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
  if (res.status === 401) {
    location.assign('/console/login');
    throw new Error('signed out');
  }
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(body.error || `HTTP ${res.status}`);
  return body;
}

/** 83000 -> "1:23"; 3723000 -> "1:02:03". */
export function duration(ms) {
  if (ms === undefined || ms === null || ms < 0) return '–';
  const s = Math.floor(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** An ISO instant in the browser's locale, short. */
export function when(iso) {
  if (!iso) return '–';
  const d = new Date(iso);
  const today = new Date().toDateString() === d.toDateString();
  return today ? d.toLocaleTimeString() : d.toLocaleString();
}

/** "caller-hung-up" -> "caller hung up". */
export function words(text) {
  return text ? String(text).replaceAll(/[-_]/g, ' ') : '–';
}

/** Marks the current page in the navigation. */
export function markNav() {
  const page = document.body.dataset.page;
  for (const a of document.querySelectorAll('nav a')) {
    if (a.dataset.nav === page) a.setAttribute('aria-current', 'page');
  }
}

/** A chat bubble for one turn; an interrupted agent reply is shown as the caller heard it, marked. */
export function bubble(turn) {
  const agent = turn.role === 'agent';
  return el('li', { class: `turn ${agent ? 'agent' : 'caller'}${turn.interrupted ? ' interrupted' : ''}`,
                    dataset: { seq: turn.seq } },
    el('span', { class: 'who' }, agent ? 'Agent' : 'Caller'),
    el('p', {}, turn.text),
    turn.interrupted ? el('span', { class: 'badge barge' }, 'interrupted — as heard') : null);
}
