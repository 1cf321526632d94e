// Live calls (server-sent events from /console/api/live) and the call history (/console/api/calls).
import { api, bubble, duration, el, markNav, when, words } from './console.js';

markNav();

const PAGE = 20;
const calls = new Map(); // callSid -> { info, turns: Map(seq -> turn), node }
const liveBox = document.getElementById('live-calls');
const statusEl = document.getElementById('live-status');

function setStatus(text, cls) {
  statusEl.textContent = text;
  statusEl.className = `status ${cls}`;
}

function render() {
  document.getElementById('live-count').textContent = String(calls.size);
  document.getElementById('live-empty').classList.toggle('hidden', calls.size > 0);
}

function addCall(info) {
  const existing = calls.get(info.callSid);
  if (existing) return existing;
  const transcript = el('ol', { class: 'chat' });
  const clock = el('span', { class: 'clock' }, '0:00');
  const node = el('article', { class: 'live-call', dataset: { callSid: info.callSid } },
    el('header', {},
      el('span', { class: 'dot' }),
      el('strong', {}, info.persona),
      el('span', { class: 'muted' }, ` · ${info.from}`),
      clock),
    transcript);
  const call = { info, turns: new Map(), node, transcript, clock, started: Date.parse(info.startedAt) };
  calls.set(info.callSid, call);
  liveBox.prepend(node);
  render();
  return call;
}

function addTurn(turn) {
  const call = calls.get(turn.callSid);
  if (!call || call.turns.has(turn.seq)) return; // applied already (events may repeat after a resync)
  call.turns.set(turn.seq, turn);
  const item = bubble(turn);
  const later = [...call.transcript.children].find(li => Number(li.dataset.seq) > turn.seq);
  call.transcript.insertBefore(item, later || null);
  call.transcript.scrollTop = call.transcript.scrollHeight;
}

function endCall(callSid) {
  const call = calls.get(callSid);
  if (!call) return;
  calls.delete(callSid);
  call.node.remove();
  render();
  setTimeout(() => loadHistory(offset), 800); // the ended call is stored a moment later
}

function snapshot(data) {
  for (const sid of [...calls.keys()]) {
    if (!data.calls.some(c => c.callSid === sid)) {
      calls.get(sid).node.remove();
      calls.delete(sid);
    }
  }
  for (const c of data.calls) {
    addCall(c);
    for (const t of c.turns) addTurn({ ...t, callSid: c.callSid });
  }
  render();
}

setInterval(() => {
  for (const call of calls.values()) call.clock.textContent = duration(Date.now() - call.started);
}, 1000);

function follow() {
  const source = new EventSource('/console/api/live');
  source.addEventListener('open', () => setStatus('live', 'ok'));
  source.addEventListener('snapshot', e => snapshot(JSON.parse(e.data)));
  source.addEventListener('started', e => {
    addCall(JSON.parse(e.data));
    setTimeout(() => loadHistory(offset), 800); // listed as live in the history too, once stored
  });
  source.addEventListener('turn', e => addTurn(JSON.parse(e.data)));
  source.addEventListener('ended', e => endCall(JSON.parse(e.data).callSid));
  source.addEventListener('error', async () => {
    setStatus('reconnecting…', 'connecting');
    if (source.readyState === EventSource.CLOSED) {
      // Not a dropped stream but a refusal (signed out, or too many views): check which, then retry.
      try {
        await api('/console/api/personas');
      } catch {
        return;
      }
      setTimeout(follow, 3000);
    }
  });
}
follow();

// ---- history

let offset = 0;
let phone = '';
const tbody = document.getElementById('history');
const historyError = document.getElementById('history-error');

async function loadHistory(from) {
  const query = new URLSearchParams({ limit: String(PAGE), offset: String(from) });
  if (phone) query.set('phone', phone);
  try {
    const page = await api(`/console/api/calls?${query}`);
    historyError.classList.add('hidden');
    offset = from;
    tbody.replaceChildren(...page.calls.map(row));
    if (page.calls.length === 0) {
      tbody.append(el('tr', {}, el('td', { colspan: 6, class: 'muted' }, phone ? 'No calls from or to that number.' : 'No calls yet.')));
    }
    document.getElementById('prev').disabled = offset === 0;
    document.getElementById('next').disabled = page.nextOffset === undefined;
    document.getElementById('page-info').textContent = page.total === 0 ? ''
      : `${offset + 1}–${offset + page.calls.length} of ${page.total}`;
  } catch (e) {
    historyError.textContent = e.message;
    historyError.classList.remove('hidden');
  }
}

function row(c) {
  const href = `/console/calls/${encodeURIComponent(c.callSid)}`;
  return el('tr', { dataset: { callSid: c.callSid } },
    el('td', {}, el('a', { href }, when(c.startedAt))),
    el('td', {}, c.from),
    el('td', {}, c.persona),
    el('td', {}, c.status === 'in_progress' ? el('span', { class: 'badge live' }, 'live') : duration(c.durationMs)),
    el('td', {}, words(c.endReason)),
    el('td', { class: 'summary' }, c.summary || ''));
}

document.getElementById('search').addEventListener('submit', e => {
  e.preventDefault();
  phone = document.getElementById('phone').value.trim();
  loadHistory(0);
});
document.getElementById('prev').addEventListener('click', () => loadHistory(Math.max(0, offset - PAGE)));
document.getElementById('next').addEventListener('click', () => loadHistory(offset + PAGE));
loadHistory(0);
