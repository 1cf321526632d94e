// The web phone page: pick a persona, place a call over the Media Streams protocol at /console/phone/socket, stream
// the microphone as 8 kHz mu-law (worklet.js), play the agent (jitter buffer, mark echoes, clear on barge-in), send
// keypad digits, and show the live transcript the server sends on this socket only.
import { Stream, fromBase64, newSid } from './protocol.js';

const $ = (id) => document.getElementById(id);
const personaSelect = $('persona');
const callButton = $('call');
const hangupButton = $('hangup');
const statusLine = $('status');
const transcript = $('transcript');
const level = $('level');
const callInfo = $('callinfo');

/** What tests and curious operators can read: counters of this page's call. */
const stats = { state: 'idle', callSid: '', framesSent: 0, mediaReceived: 0, marksReceived: 0, marksEchoed: 0,
  clears: 0, transcript: [], playedMs: 0, closeCode: 0, closeReason: '' };
window.webPhone = stats;

let call = null;

function status(text, state) {
  statusLine.textContent = text;
  statusLine.dataset.state = state;
  stats.state = state;
}

async function loadPersonas() {
  try {
    const res = await fetch('/console/phone/personas', { credentials: 'same-origin' });
    if (!res.ok) throw new Error(res.status === 401 ? 'sign in to the console first' : `HTTP ${res.status}`);
    const body = await res.json();
    personaSelect.replaceChildren(...body.personas.map((p) => new Option(`${p.name} (${p.id})`, p.id)));
    const wanted = new URLSearchParams(location.search).get('persona');
    personaSelect.value = body.personas.some((p) => p.id === wanted) ? wanted : body.default;
    personaSelect.disabled = false;
    callButton.disabled = false;
    status('Ready', 'idle');
  } catch (e) {
    status(`Cannot list personas: ${e.message}`, 'error');
  }
}

function showTurn(role, text, interrupted) {
  const item = document.createElement('li');
  item.className = role + (interrupted ? ' interrupted' : '');
  const who = document.createElement('span');
  who.className = 'who';
  who.textContent = role === 'agent' ? 'Agent' : 'You';
  const words = document.createElement('span');
  words.className = 'text';
  words.textContent = text;
  item.append(who, words);
  transcript.append(item);
  item.scrollIntoView({ block: 'nearest' });
  stats.transcript.push({ role, text, interrupted });
}

async function placeCall() {
  callButton.disabled = true;
  personaSelect.disabled = true;
  transcript.replaceChildren();
  stats.transcript = [];
  status('Asking for the microphone…', 'connecting');
  let mic;
  try {
    mic = await navigator.mediaDevices.getUserMedia({
      audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true, autoGainControl: true },
    });
  } catch (e) {
    status(`No microphone: ${e.message}`, 'error');
    callButton.disabled = false;
    personaSelect.disabled = false;
    return;
  }
  const context = new AudioContext({ latencyHint: 'interactive' });
  await context.audioWorklet.addModule('/console/phone/worklet.js');
  const source = context.createMediaStreamSource(mic);
  const line = new AudioWorkletNode(context, 'phone-line', { numberOfInputs: 1, numberOfOutputs: 1,
    outputChannelCount: [1] });
  const analyser = context.createAnalyser();
  analyser.fftSize = 512;
  source.connect(line);
  source.connect(analyser);
  line.connect(context.destination);
  await context.resume();

  const stream = new Stream({ callSid: newSid('WC'), streamSid: newSid('MZ'), persona: personaSelect.value });
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const socket = new WebSocket(`${scheme}//${location.host}/console/phone/socket`);
  call = { socket, stream, context, mic, line, started: false, ended: false, meter: 0 };
  Object.assign(stats, { callSid: stream.callSid, framesSent: 0, mediaReceived: 0, marksReceived: 0, marksEchoed: 0,
    clears: 0, closeCode: 0, closeReason: '' });
  callInfo.textContent = `call ${stream.callSid}`;
  status('Connecting…', 'connecting');

  socket.onopen = () => {
    socket.send(stream.connected());
    socket.send(stream.start());
    call.started = true;
    hangupButton.disabled = false;
    status('In call', 'in-call');
  };
  socket.onmessage = ({ data }) => {
    let msg;
    try {
      msg = JSON.parse(data);
    } catch {
      return;
    }
    switch (msg.event) {
      case 'media': {
        const bytes = fromBase64(msg.media.payload);
        stats.mediaReceived += 1;
        line.port.postMessage({ type: 'media', bytes }, [bytes.buffer]);
        break;
      }
      case 'mark':
        stats.marksReceived += 1;
        line.port.postMessage({ type: 'mark', name: msg.mark.name });
        break;
      case 'clear':
        stats.clears += 1;
        line.port.postMessage({ type: 'clear' });
        break;
      case 'transcript':
        showTurn(msg.transcript.role, msg.transcript.text, msg.transcript.interrupted);
        break;
      default:
        break;
    }
  };
  socket.onclose = (e) => {
    stats.closeCode = e.code;
    stats.closeReason = e.reason;
    endCall(e.code === 1000 || e.code === 1005 ? `Call ended${e.reason ? `: ${e.reason}` : ''}`
      : `Call refused or dropped (${e.code}${e.reason ? `: ${e.reason}` : ''})`, e.code === 1000 || e.code === 1005);
  };
  line.port.onmessage = ({ data }) => {
    if (!call || call.ended || socket.readyState !== WebSocket.OPEN) return;
    if (data.type === 'frame' && call.started) {
      socket.send(stream.media(data.bytes));
      stats.framesSent += 1;
    } else if (data.type === 'played') {
      socket.send(stream.mark(data.name));
      stats.marksEchoed += 1;
    } else if (data.type === 'stats') {
      stats.playedMs = data.playedMs;
    }
  };
  const samples = new Float32Array(analyser.fftSize);
  call.meter = setInterval(() => {
    analyser.getFloatTimeDomainData(samples);
    let sum = 0;
    for (const s of samples) sum += s * s;
    level.value = Math.min(1, Math.sqrt(sum / samples.length) * 4);
  }, 100);
}

function hangUp() {
  if (!call || call.ended) return;
  if (call.socket.readyState === WebSocket.OPEN) {
    call.socket.send(call.stream.stop());
    call.socket.close(1000, 'caller hung up');
  }
  endCall('Call ended: you hung up', true);
}

function endCall(text, normal) {
  if (!call || call.ended) return;
  call.ended = true;
  clearInterval(call.meter);
  call.mic.getTracks().forEach((t) => t.stop());
  call.context.close();
  level.value = 0;
  hangupButton.disabled = true;
  callButton.disabled = false;
  personaSelect.disabled = false;
  status(text, normal ? 'ended' : 'error');
}

for (const key of document.querySelectorAll('#keypad button')) {
  key.addEventListener('click', () => {
    if (call && !call.ended && call.started && call.socket.readyState === WebSocket.OPEN) {
      call.socket.send(call.stream.dtmf(key.dataset.digit));
    }
  });
}
callButton.addEventListener('click', placeCall);
hangupButton.addEventListener('click', hangUp);
window.addEventListener('pagehide', hangUp);
loadPersonas();
