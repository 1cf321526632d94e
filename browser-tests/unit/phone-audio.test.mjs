// The web phone's pure audio and protocol code (src/main/resources/console/phone/), as the AudioWorklet and the page
// use it. Runs with `node unit/phone-audio.test.mjs` (or `node --test unit/`); the JUnit suite runs it too.
import test from 'node:test';
import assert from 'node:assert/strict';

import {
  Downsampler, FrameAssembler, MULAW_TO_FLOAT, Playback, linearToMulaw, mulawToLinear,
} from '../../src/main/resources/console/phone/audio.js';
import { Stream, fromBase64, newSid, toBase64 } from '../../src/main/resources/console/phone/protocol.js';

test('mu-law decodes to the G.711 table', () => {
  assert.equal(mulawToLinear(0xff), 0);
  assert.equal(mulawToLinear(0x7f), 0);
  assert.equal(mulawToLinear(0x80), 32124);
  assert.equal(mulawToLinear(0x00), -32124);
  assert.equal(mulawToLinear(0xf0), 120);
  assert.equal(mulawToLinear(0x70), -120);
});

test('mu-law encodes every code back to itself, and clips and rounds like G.711', () => {
  for (let b = 0; b < 256; b++) {
    if (b === 0x7f) continue; // negative zero encodes as positive zero
    assert.equal(linearToMulaw(mulawToLinear(b)), b, `code 0x${b.toString(16)}`);
  }
  assert.equal(linearToMulaw(0), 0xff);
  assert.equal(linearToMulaw(32767), 0x80);
  assert.equal(linearToMulaw(-32768), 0x00);
  assert.equal(linearToMulaw(40000), 0x80);
  for (let s = -32768; s < 32768; s += 97) { // quantisation error stays within half a step of the segment
    const back = mulawToLinear(linearToMulaw(s));
    const step = Math.max(8, 2 ** (Math.floor(Math.log2(Math.abs(s) + 132)) - 4));
    assert.ok(Math.abs(back - Math.max(-32124, Math.min(32124, s))) <= step, `${s} -> ${back}`);
  }
});

function sine(rate, hz, seconds, amplitude = 0.5) {
  return Float32Array.from({ length: Math.round(rate * seconds) }, (_, i) => amplitude * Math.sin((2 * Math.PI * hz * i) / rate));
}

function rms(samples) {
  return Math.sqrt(samples.reduce((s, x) => s + x * x, 0) / samples.length);
}

for (const rate of [48000, 44100, 16000]) {
  test(`the microphone at ${rate} Hz becomes 8 kHz: voice passes, what would alias is filtered out`, () => {
    const down = new Downsampler(rate);
    const out = [];
    const input = sine(rate, 1000, 1);
    for (let i = 0; i < input.length; i += 128) out.push(...down.push(input.subarray(i, i + 128)));
    assert.ok(Math.abs(out.length - 8000) <= 1, `${out.length} samples for a second`);
    const settled = Float32Array.from(out.slice(800));
    assert.ok(Math.abs(rms(settled) - 0.5 / Math.SQRT2) < 0.03, `1 kHz keeps its level: ${rms(settled)}`);

    if (rate > 12000) {
      const high = new Downsampler(rate).push(sine(rate, 6000, 1)).slice(800); // would fold to 2 kHz
      assert.ok(rms(high) < 0.05, `6 kHz is attenuated: ${rms(high)}`);
    }
  });
}

test('8 kHz samples become 160-byte mu-law frames, the remainder kept for the next frame', () => {
  const frames = new FrameAssembler();
  assert.equal(frames.push(new Float32Array(100)).length, 0);
  const done = frames.push(new Float32Array(300).fill(0.25));
  assert.equal(done.length, 2);
  assert.equal(done[0].length, 160);
  assert.equal(done[0][0], 0xff); // silence first
  assert.equal(done[0][159], linearToMulaw(0.25 * 32767));
  assert.equal(frames.push(new Float32Array(80)).length, 1);
});

function render(playback, quanta, size = 128) {
  const marks = [];
  const out = [];
  for (let q = 0; q < quanta; q++) {
    const block = new Float32Array(size);
    marks.push(...playback.render(block));
    out.push(...block);
  }
  return { marks, out };
}

test('playback waits for the jitter buffer, then plays the 8 kHz audio at the output rate', () => {
  const p = new Playback(48000, { prebufferMs: 80 });
  const tone = new Uint8Array(160).fill(0x80); // loudest positive code
  p.enqueue(tone); // 20 ms: less than the prebuffer
  let { out } = render(p, 1);
  assert.ok(out.every((x) => x === 0), 'nothing plays before 80 ms are queued');
  for (let i = 0; i < 3; i++) p.enqueue(tone);
  ({ out } = render(p, 1));
  assert.ok(out.every((x) => Math.abs(x - MULAW_TO_FLOAT[0x80]) < 1e-6), 'plays once 80 ms are queued');
  ({ out } = render(p, 30)); // 80 ms at 48 kHz is 3840 samples = 30 quanta
  assert.ok(p.queued <= 0 && out.at(-1) === 0, 'ran dry: silence, not a repeat');
  assert.equal(p.played, 640);
});

test('a short last piece plays after waiting the prebuffer time, not forever', () => {
  const p = new Playback(48000, { prebufferMs: 80 });
  p.enqueue(new Uint8Array(160).fill(0x80));
  p.mark('r1.end');
  const { marks } = render(p, 45); // 80 ms wait + 20 ms of audio, in 128-sample quanta
  assert.deepEqual(marks, ['r1.end']);
  assert.equal(p.played, 160);
});

test('a mark is echoed only once the audio before it has played', () => {
  const p = new Playback(8000, { prebufferMs: 0 });
  p.enqueue(new Uint8Array(320));
  p.mark('r1.0');
  p.enqueue(new Uint8Array(160));
  p.mark('r1.end');
  assert.deepEqual(render(p, 2).marks, []); // 256 of 320 samples
  assert.deepEqual(render(p, 1).marks, ['r1.0']); // 384 of 480
  assert.deepEqual(render(p, 1).marks, ['r1.end']);
});

test('clear drops the queued audio at once and returns the pending marks, as Twilio echoes them', () => {
  const p = new Playback(48000, { prebufferMs: 80 });
  p.enqueue(new Uint8Array(8000).fill(0x80));
  p.mark('r2.0');
  p.enqueue(new Uint8Array(800).fill(0x80));
  p.mark('r2.end');
  render(p, 10);
  assert.deepEqual(p.clear(), ['r2.0', 'r2.end']);
  const { out, marks } = render(p, 10);
  assert.ok(out.every((x) => x === 0));
  assert.deepEqual(marks, []);
  p.enqueue(new Uint8Array(800).fill(0x80)); // the next reply plays normally
  p.mark('r3.end');
  assert.deepEqual(render(p, 40).marks, ['r3.end']);
});

test('the queue is bounded: audio beyond its capacity is dropped and counted', () => {
  const p = new Playback(48000, { prebufferMs: 80, capacityMs: 100 });
  p.enqueue(new Uint8Array(1000));
  assert.equal(p.queued, 800);
  assert.equal(p.dropped, 200);
});

test('the stream speaks Twilio Media Streams as the server decodes it', () => {
  const callSid = newSid('WC');
  assert.match(callSid, /^WC[0-9a-f]{32}$/);
  const s = new Stream({ callSid, streamSid: newSid('MZ'), persona: 'receptionist' });
  assert.deepEqual(JSON.parse(s.connected()), { event: 'connected', protocol: 'Call', version: '1.0.0' });
  const start = JSON.parse(s.start());
  assert.equal(start.event, 'start');
  assert.equal(start.sequenceNumber, '1');
  assert.equal(start.start.callSid, callSid);
  assert.deepEqual(start.start.mediaFormat, { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 });
  assert.deepEqual(start.start.customParameters, { persona: 'receptionist' });
  const frame = Uint8Array.from({ length: 160 }, (_, i) => i);
  const media = JSON.parse(s.media(frame));
  assert.equal(media.media.chunk, '1');
  assert.equal(media.media.timestamp, '0');
  assert.deepEqual(fromBase64(media.media.payload), frame);
  assert.equal(JSON.parse(s.media(frame)).media.timestamp, '20');
  assert.deepEqual(JSON.parse(s.mark('r1.end')).mark, { name: 'r1.end' });
  assert.deepEqual(JSON.parse(s.dtmf('5')).dtmf, { track: 'inbound_track', digit: '5' });
  const stop = JSON.parse(s.stop());
  assert.equal(stop.stop.callSid, callSid);
  assert.equal(stop.sequenceNumber, '6');
  assert.equal(toBase64(new Uint8Array([255, 0])), '/wA=');
});
