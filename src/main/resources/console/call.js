// One call: conversation as a chat, summary and facts, CRM delivery, and per-turn latency bars.
import { api, bubble, duration, el, markNav, when, words } from './console.js';

markNav();

const STAGES = [
  ['eos', 'end of speech'],
  ['stt', 'speech-to-text'],
  ['llmFirstToken', 'LLM first token'],
  ['ttsFirstByte', 'TTS first byte'],
];
const sid = decodeURIComponent(location.pathname.split('/').pop());

function meta(list, pairs) {
  list.replaceChildren(...pairs.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]));
}

function timings(turns) {
  const answered = turns.filter(t => t.role === 'agent' && t.timingsMs
    && STAGES.some(([k]) => t.timingsMs[k] !== undefined));
  const box = document.getElementById('timings');
  if (answered.length === 0) {
    box.replaceChildren(el('p', { class: 'muted' }, 'No answered turns with timings.'));
    return;
  }
  const max = Math.max(1, ...answered.flatMap(t => STAGES.map(([k]) => t.timingsMs[k] || 0)));
  box.replaceChildren(...answered.map((t, i) => el('div', { class: 'timing-turn', dataset: { seq: t.seq } },
    el('div', { class: 'timing-title' }, `Reply ${i + 1}`,
      t.timingsMs.voiceToVoice !== undefined ? el('span', { class: 'muted' }, ` · voice to voice ${t.timingsMs.voiceToVoice} ms`) : null),
    ...STAGES.filter(([k]) => t.timingsMs[k] !== undefined).map(([k, label]) => el('div', { class: 'bar-row' },
      el('span', { class: 'bar-label' }, label),
      el('span', { class: 'bar-track' },
        el('span', { class: `bar ${k}`, style: { width: `${Math.max(0.5, (100 * t.timingsMs[k]) / max).toFixed(1)}%` },
                     title: `${label}: ${t.timingsMs[k]} ms` })),
      el('span', { class: 'bar-value' }, `${t.timingsMs[k]} ms`))))));
}

async function load() {
  let call;
  try {
    call = await api(`/console/api/calls/${encodeURIComponent(sid)}`);
  } catch (e) {
    const box = document.getElementById('call-error');
    box.textContent = e.message;
    box.classList.remove('hidden');
    return;
  }
  document.title = `Call ${call.from} · voice-agent console`;
  document.getElementById('call-title').textContent = `${call.from} → ${call.persona}`;
  meta(document.getElementById('call-meta'), [
    ['Call', call.callSid],
    ['Started', when(call.startedAt)],
    ['Duration', call.status === 'in_progress' ? 'in progress' : duration(call.durationMs)],
    ['Ended because', words(call.endReason)],
    ['Status', words(call.status)],
    ['Dialed', call.to],
    ...(call.sessionOutcome ? [['Relay session', call.sessionOutcome]] : []),
  ]);
  document.getElementById('chat').replaceChildren(...call.turns.map(bubble));
  const summary = document.getElementById('summary');
  summary.textContent = call.summary || 'No summary yet.';
  summary.classList.toggle('muted', !call.summary);
  const facts = Object.entries(call.facts || {});
  meta(document.getElementById('facts'), facts.length ? facts : [['–', 'no facts extracted']]);
  const delivery = document.getElementById('delivery');
  delivery.replaceChildren(...(call.delivery.length ? call.delivery.map(d => el('tr', { dataset: { target: d.target } },
    el('td', {}, d.target),
    el('td', {}, el('span', { class: `badge ${d.status}` }, d.status)),
    el('td', {}, String(d.attempts)),
    el('td', { class: 'error-text' }, d.lastError || (d.status === 'pending' ? `next try ${when(d.nextAttemptAt)}` : ''))))
    : [el('tr', {}, el('td', { colspan: 4, class: 'muted' }, 'Queued when the call ends.'))]));
  timings(call.turns);
  if (call.status === 'in_progress' || call.delivery.some(d => d.status === 'pending')) {
    setTimeout(load, 3000); // still moving: keep the page current
  }
}
load();
