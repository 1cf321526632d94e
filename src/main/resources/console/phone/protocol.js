// The Twilio Media Streams messages the web phone sends, built exactly as Twilio builds them (the server decodes
// them with the same codec as a phone call's), and the base64 they carry. Pure.

/** A sid like Twilio's: `prefix` and 32 lower-case hex digits. The server wants `WC` for a web call. */
export function newSid(prefix, random = (bytes) => crypto.getRandomValues(bytes)) {
  const bytes = random(new Uint8Array(16));
  return prefix + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function toBase64(bytes) {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
  return btoa(s);
}

export function fromBase64(text) {
  const s = atob(text);
  const bytes = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
  return bytes;
}

/** One call's outbound messages, numbered as Twilio numbers them (`sequenceNumber` as a string, from 1). */
export class Stream {
  constructor({ callSid, streamSid, accountSid = 'ACwebphone', persona }) {
    this.callSid = callSid;
    this.streamSid = streamSid;
    this.accountSid = accountSid;
    this.persona = persona;
    this.seq = 0;
    this.chunk = 0;
  }

  next() {
    this.seq += 1;
    return String(this.seq);
  }

  connected() {
    return JSON.stringify({ event: 'connected', protocol: 'Call', version: '1.0.0' });
  }

  start() {
    return JSON.stringify({
      event: 'start',
      sequenceNumber: this.next(),
      start: {
        accountSid: this.accountSid,
        streamSid: this.streamSid,
        callSid: this.callSid,
        tracks: ['inbound'],
        mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
        customParameters: { persona: this.persona },
      },
      streamSid: this.streamSid,
    });
  }

  /** One 20 ms frame of the caller's audio (160 mu-law bytes). */
  media(frame) {
    this.chunk += 1;
    return JSON.stringify({
      event: 'media',
      sequenceNumber: this.next(),
      media: { track: 'inbound', chunk: String(this.chunk), timestamp: String((this.chunk - 1) * 20),
        payload: toBase64(frame) },
      streamSid: this.streamSid,
    });
  }

  /** The echo of a mark whose audio has played. */
  mark(name) {
    return JSON.stringify({ event: 'mark', sequenceNumber: this.next(), streamSid: this.streamSid, mark: { name } });
  }

  dtmf(digit) {
    return JSON.stringify({ event: 'dtmf', streamSid: this.streamSid, sequenceNumber: this.next(),
      dtmf: { track: 'inbound_track', digit } });
  }

  stop() {
    return JSON.stringify({ event: 'stop', sequenceNumber: this.next(), streamSid: this.streamSid,
      stop: { accountSid: this.accountSid, callSid: this.callSid } });
  }
}
