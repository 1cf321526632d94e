// The personas in force, the numbers each answers, the file's validation state, and a link to talk to each.
import { api, el, markNav } from './console.js';

markNav();

async function load() {
  const data = await api('/console/api/personas');
  document.getElementById('file').textContent = data.file;
  const banner = document.getElementById('validation');
  if (data.valid) {
    banner.className = 'banner ok';
    banner.textContent = 'The personas file is valid and in force.';
  } else {
    banner.className = 'banner bad';
    banner.replaceChildren(
      el('strong', {}, 'The last edit of the personas file was rejected; the last good personas stay in force.'),
      el('pre', {}, data.error));
  }
  document.getElementById('personas').replaceChildren(...data.personas.map(p => el('article', { class: 'persona', dataset: { id: p.id } },
    el('header', {}, el('h3', {}, p.name || p.id), p.default ? el('span', { class: 'badge' }, 'default') : null),
    el('dl', { class: 'meta' },
      el('dt', {}, 'Id'), el('dd', {}, p.id),
      el('dt', {}, 'Answers'), el('dd', {}, p.numbers.length ? p.numbers.join(', ') : (p.default ? 'every other number' : 'no number')),
      el('dt', {}, 'Transport'), el('dd', {}, p.transport),
      el('dt', {}, 'Listening'), el('dd', {}, p.stt),
      el('dt', {}, 'Model'), el('dd', {}, p.llm),
      el('dt', {}, 'Voice'), el('dd', {}, p.voice),
      el('dt', {}, 'Collects'), el('dd', {}, p.collect.join(', ') || '–'),
      el('dt', {}, 'Time limit'), el('dd', {}, `${p.maxCallMinutes} min`)),
    el('blockquote', {}, p.greeting),
    el('a', { class: 'button', href: `/console/phone?persona=${encodeURIComponent(p.id)}` }, 'Talk to it'))));
}
load().catch(e => {
  const banner = document.getElementById('validation');
  banner.className = 'banner bad';
  banner.textContent = e.message;
});
