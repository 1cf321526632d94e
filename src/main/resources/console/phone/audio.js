// The web phone's audio arithmetic: G.711 mu-law, the microphone's downsampling to 8 kHz in 20 ms frames, and the
// playback jitter buffer with Twilio's mark semantics. Pure (no DOM, no Web Audio), so it runs in the AudioWorklet
// and under `node --test`.

const BIAS = 0x84;
const CLIP = 32635;

/** One 16-bit linear sample (-32768..32767) to a G.711 mu-law byte. */
export function linearToMulaw(sample) {
  let s = Math.max(-32768, Math.min(32767, Math.round(sample)));
  const sign = s < 0 ? 0x80 : 0;
  if (sign) s = -s;
  if (s > CLIP) s = CLIP;
  s += BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (s & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (s >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

/** A G.711 mu-law byte to a 16-bit linear sample. */
export function mulawToLinear(byte) {
  const u = ~byte & 0xff;
  const t = (((u & 0x0f) << 3) + BIAS) << ((u & 0x70) >> 4);
  return u & 0x80 ? BIAS - t : t - BIAS;
}

/** mu-law byte to a float in [-1, 1). */
export const MULAW_TO_FLOAT = Float32Array.from({ length: 256 }, (_, b) => mulawToLinear(b) / 32768);

/** A float sample in [-1, 1] to a mu-law byte. */
export function floatToMulaw(f) {
  return linearToMulaw(f * 32767);
}

/** A second-order low-pass (RBJ cookbook), Direct Form I. */
class LowPass {
  constructor(rate, cutoff, q) {
    const w = (2 * Math.PI * cutoff) / rate;
    const alpha = Math.sin(w) / (2 * q);
    const cos = Math.cos(w);
    const a0 = 1 + alpha;
    this.b0 = (1 - cos) / 2 / a0;
    this.b1 = (1 - cos) / a0;
    this.b2 = this.b0;
    this.a1 = (-2 * cos) / a0;
    this.a2 = (1 - alpha) / a0;
    this.x1 = this.x2 = this.y1 = this.y2 = 0;
  }

  step(x) {
    const y = this.b0 * x + this.b1 * this.x1 + this.b2 * this.x2 - this.a1 * this.y1 - this.a2 * this.y2;
    this.x2 = this.x1;
    this.x1 = x;
    this.y2 = this.y1;
    this.y1 = y;
    return y;
  }
}

/**
 * The microphone at the AudioContext's rate down to 8 kHz: a 4th-order low-pass at 3.4 kHz (telephone band, below
 * the new Nyquist frequency), then fractional decimation with linear interpolation, so any input rate works
 * (48 kHz, 44.1 kHz, ...).
 */
export class Downsampler {
  constructor(inputRate, outputRate = 8000) {
    if (!(inputRate >= outputRate)) throw new Error(`input rate ${inputRate} is below ${outputRate}`);
    this.step = inputRate / outputRate;
    const cutoff = Math.min(3400, outputRate * 0.45);
    this.filters = [new LowPass(inputRate, cutoff, 0.5412), new LowPass(inputRate, cutoff, 1.3066)];
    this.n = 0; // index of the next input sample
    this.next = 0; // input-sample time of the next output sample
    this.prev = 0;
  }

  /** @param {Float32Array} input @returns {Float32Array} the 8 kHz samples it completes */
  push(input) {
    const out = [];
    for (let i = 0; i < input.length; i++) {
      let x = input[i];
      for (const f of this.filters) x = f.step(x);
      while (this.next <= this.n) {
        const frac = this.next - (this.n - 1);
        out.push(this.prev + (x - this.prev) * frac);
        this.next += this.step;
      }
      this.prev = x;
      this.n++;
      if (this.n > 1e9) { // keep the counters small; only their difference matters
        this.n -= 1e9;
        this.next -= 1e9;
      }
    }
    return Float32Array.from(out);
  }
}

/** 8 kHz float samples into 20 ms mu-law frames of 160 bytes (Twilio's media chunk). */
export class FrameAssembler {
  static FRAME = 160;

  constructor() {
    this.frame = new Uint8Array(FrameAssembler.FRAME);
    this.filled = 0;
  }

  /** @param {Float32Array} samples @returns {Uint8Array[]} the frames completed */
  push(samples) {
    const frames = [];
    for (let i = 0; i < samples.length; i++) {
      this.frame[this.filled++] = floatToMulaw(samples[i]);
      if (this.filled === FrameAssembler.FRAME) {
        frames.push(this.frame);
        this.frame = new Uint8Array(FrameAssembler.FRAME);
        this.filled = 0;
      }
    }
    return frames;
  }
}

/**
 * The agent's 8 kHz mu-law audio, played at the AudioContext's rate through a small jitter buffer, with Twilio's
 * mark semantics: a mark is "played" once every sample queued before it has been rendered; {@link clear} drops
 * what is queued and returns the pending marks (Twilio echoes them on clear too).
 *
 * Playback starts (and restarts after running dry) once `prebufferMs` of audio is queued, or once the first queued
 * sample has waited that long (the last, short piece of a reply still plays). The queue holds at most
 * `capacityMs`; audio beyond it is dropped and counted.
 */
export class Playback {
  constructor(outputRate, { prebufferMs = 80, capacityMs = 20000 } = {}) {
    this.step = 8000 / outputRate;
    this.prebuffer = Math.round(8 * prebufferMs);
    this.waitLimit = Math.round((outputRate * prebufferMs) / 1000);
    this.capacity = 8 * capacityMs;
    this.buffer = new Float32Array(this.capacity);
    this.written = 0; // 8 kHz samples ever queued
    this.read = 0; // fractional 8 kHz position played up to
    this.marks = []; // { name, at } in order
    this.playing = false;
    this.waited = 0; // output samples rendered silent while audio waited
    this.dropped = 0;
    this.played = 0; // 8 kHz samples played
  }

  /** Samples queued and not yet played. */
  get queued() {
    return this.written - Math.floor(this.read);
  }

  /** @param {Uint8Array} mulaw */
  enqueue(mulaw) {
    for (let i = 0; i < mulaw.length; i++) {
      if (this.queued >= this.capacity) {
        this.dropped += mulaw.length - i;
        return;
      }
      this.buffer[this.written % this.capacity] = MULAW_TO_FLOAT[mulaw[i]];
      this.written++;
    }
  }

  mark(name) {
    this.marks.push({ name, at: this.written });
  }

  /** Drops the queued audio; returns the names of the marks that were pending. */
  clear() {
    this.read = this.written;
    this.playing = false;
    this.waited = 0;
    const pending = this.marks.map((m) => m.name);
    this.marks = [];
    return pending;
  }

  /** Fills `out` (one channel) and returns the names of the marks whose audio has now played. */
  render(out) {
    for (let i = 0; i < out.length; i++) {
      if (!this.playing) {
        const queued = this.queued;
        if (queued > 0 && (queued >= this.prebuffer || ++this.waited >= this.waitLimit)) {
          this.playing = true;
          this.waited = 0;
        }
      }
      if (!this.playing) {
        out[i] = 0;
        continue;
      }
      const whole = Math.floor(this.read);
      if (whole >= this.written) { // ran dry: wait for more
        this.playing = false;
        this.read = this.written;
        out[i] = 0;
        continue;
      }
      const a = this.buffer[whole % this.capacity];
      const b = whole + 1 < this.written ? this.buffer[(whole + 1) % this.capacity] : a;
      out[i] = a + (b - a) * (this.read - whole);
      this.read += this.step;
      if (Math.floor(this.read) > whole) this.played += Math.min(Math.floor(this.read), this.written) - whole;
    }
    const passed = [];
    while (this.marks.length > 0 && this.marks[0].at <= Math.floor(this.read)) {
      passed.push(this.marks.shift().name);
    }
    return passed;
  }
}
