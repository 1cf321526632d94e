// Many concurrent phone calls against the voice agent, over the real Twilio protocol:
// the signed voice webhook, then the Media Streams WebSocket, `start`, the caller's speech as 20 ms mu-law frames
// at real time from committed clips with pauses between turns, and Twilio's playout of the agent's audio (buffer,
// marks echoed when played, `clear` echoing pending marks at once).
//
// Measures, per turn, the time from the end of the caller's utterance (the frame carrying the clip's last byte)
// to the first agent media frame (`reply_latency`), and stutters in the agent's audio as Twilio would play it
// (`audio_gaps`, `audio_gap_ms`), with thresholds so that k6 exits non-zero when the agent is too slow or choppy.
//
//   k6 run -e SERVER_URL=http://127.0.0.1:18080 -e CALLS=200 loadtest/k6/calls.js
//
// The server must verify signatures with the same PUBLIC_BASE_URL and TWILIO_AUTH_TOKEN as given here, and
// talk to fake vendors (loadtest/java/.../FakeVendorsMain) so a load test spends no API credit. See
// loadtest/README.md. Send load only to machines you own.

import http from 'k6/http';
import { check } from 'k6';
import crypto from 'k6/crypto';
import encoding from 'k6/encoding';
import exec from 'k6/execution';
import { Counter, Rate, Trend } from 'k6/metrics';
import { clearInterval, clearTimeout, setInterval, setTimeout } from 'k6/timers';
import { WebSocket } from 'k6/websockets';

import { Playout } from './lib/playout.js';
import { callSid, callsScenario, messages, parseServerMessage, parseTwiml, signatureData, streamSid } from './lib/twilio.js';

/**
 * @param {string} name
 * @param {string} dflt
 */
function env(name, dflt) {
    const value = __ENV[name];
    return value === undefined || value === '' ? dflt : value;
}

/**
 * @param {string} name
 * @param {number} dflt
 */
function num(name, dflt) {
    const value = Number(env(name, String(dflt)));
    if (!Number.isFinite(value) || value < 0) {
        throw new Error(name + ' must be a non-negative number');
    }
    return value;
}

const SERVER_URL = env('SERVER_URL', 'http://127.0.0.1:18080');
const PUBLIC_BASE_URL = env('PUBLIC_BASE_URL', 'https://voice-agent.loadtest.invalid');
const AUTH_TOKEN = env('TWILIO_AUTH_TOKEN', 'twilio-load-auth-token');
const ACCOUNT_SID = env('TWILIO_ACCOUNT_SID', 'AC00000000000000000000000000000042');
const AGENT_NUMBER = env('AGENT_NUMBER', '+15550100001');
const CALLS = num('CALLS', 100);
const TURNS = num('TURNS', 3);
const RAMP_SECONDS = num('RAMP_SECONDS', 20);
const HOLD_SECONDS = num('HOLD_SECONDS', 60);
const PAUSE_MS = num('PAUSE_MS', 1200);
const QUIET_MS = num('QUIET_MS', 700);
const REPLY_TIMEOUT_MS = num('REPLY_TIMEOUT_MS', 10000);
const TALK_TIMEOUT_MS = num('TALK_TIMEOUT_MS', 30000);
const MAX_CALL_MS = num('MAX_CALL_MS', 180000);
const REPLY_P95_MS = num('REPLY_P95_MS', 2000);
const REPLY_P99_MS = num('REPLY_P99_MS', 2500);
const FRAME_MS = 20;
const FRAME_BYTES = 160;

// Committed caller speech: raw 8 kHz mu-law, exactly what Twilio puts in media payloads (see the clips' README).
const CLIP_DIR = env('CLIP_DIR', '../../src/test/resources/clips');
const CLIPS = env('CLIPS', 'book_appointment,yes_thanks,my_name')
    .split(',')
    .map((name) => new Uint8Array(open(CLIP_DIR + '/' + name.trim() + '.ulaw', 'b')));

const replyLatency = new Trend('reply_latency', true);
const greetingLatency = new Trend('greeting_latency', true);
const audioGaps = new Counter('audio_gaps');
const audioGapMs = new Trend('audio_gap_ms', true);
const callSuccess = new Rate('call_success');
const callsFailed = new Counter('calls_failed');
const clearsReceived = new Counter('clears_received');
const protocolErrors = new Counter('twilio_protocol_errors');

/** @type {import('k6/options').Options} */
export const options = {
    scenarios: {
        calls: callsScenario(CALLS, RAMP_SECONDS, HOLD_SECONDS, MAX_CALL_MS),
    },
    thresholds: {
        call_success: ['rate==1'],
        audio_gaps: ['count==0'],
        twilio_protocol_errors: ['count==0'],
        reply_latency: ['p(95)<' + REPLY_P95_MS, 'p(99)<' + REPLY_P99_MS],
        'http_req_failed{name:voice_webhook}': ['rate==0'],
    },
    summaryTrendStats: ['med', 'p(95)', 'p(99)', 'max', 'count'],
};

/** @returns {{ run: string }} */
export function setup() {
    return { run: Date.now().toString(16) };
}

/** X-Twilio-Signature, computed as Twilio does. @param {string} url @param {Record<string, string>} params */
function sign(url, params) {
    return crypto.hmac('sha1', AUTH_TOKEN, signatureData(url, params), 'base64');
}

/** One call per iteration. @param {{ run: string }} data */
export default function (data) {
    const n = exec.vu.idInTest * 1000000 + exec.vu.iterationInScenario;
    const sid = callSid(data.run, n);
    /** @type {Record<string, string>} */
    const form = {
        CallSid: sid,
        AccountSid: ACCOUNT_SID,
        From: '+1555' + String(n % 10000000).padStart(7, '0'),
        To: AGENT_NUMBER,
        CallStatus: 'ringing',
        ApiVersion: '2010-04-01',
        Direction: 'inbound',
    };
    const res = http.post(SERVER_URL + '/twilio/voice', form, {
        headers: { 'X-Twilio-Signature': sign(PUBLIC_BASE_URL + '/twilio/voice', form) },
        tags: { name: 'voice_webhook' },
    });
    const twiml = res.status === 200 && typeof res.body === 'string' ? parseTwiml(res.body) : null;
    if (!check(res, { 'webhook answered <Connect><Stream>': () => twiml !== null }) || twiml === null) {
        callSuccess.add(false);
        callsFailed.add(1, { reason: 'webhook ' + res.status });
        return;
    }
    new Call(sid, n, twiml).run();
}

/** @typedef {'connecting' | 'greeting' | 'pausing' | 'speaking' | 'awaitingAnswer' | 'agentTalking' | 'done'} Phase */

/**
 * One caller: Twilio's media stream in both directions, scripted by a small state machine that a 20 ms timer
 * drives: greeting → (pausing → speaking → awaitingAnswer → agentTalking) × TURNS → hang up.
 */
class Call {
    /**
     * @param {string} sid
     * @param {number} n
     * @param {import('./lib/twilio.js').StreamTwiml} twiml
     */
    constructor(sid, n, twiml) {
        this.sid = sid;
        this.twiml = twiml;
        this.stream = streamSid(n);
        this.playout = new Playout();
        this.seq = 0;
        this.chunk = 0;
        this.turn = 0;
        /** @type {Phase} */
        this.phase = 'connecting';
        this.phaseSince = Date.now();
        this.mediaStartMs = 0;
        this.startedMs = 0;
        this.greetedMs = -1;
        this.spokeMs = -1;
        this.speakAtMs = 0;
        this.lastMediaMs = -1;
        /** @type {Uint8Array | null} the clip being said, and how far */
        this.speech = null;
        this.speechPos = 0;
        /** @type {string | null} */
        this.failure = null;
        /** @type {WebSocket | null} */
        this.ws = null;
        /** @type {number | null} */
        this.ticker = null;
        /** @type {number | null} */
        this.watchdog = null;
    }

    run() {
        // The TwiML names the public wss:// URL; the socket goes to the same path on the server under test.
        const path = this.twiml.url.replace(/^wss?:\/\/[^/]+/, '');
        const ws = new WebSocket(SERVER_URL.replace(/^http/, 'ws') + path, null, {
            headers: { 'X-Twilio-Signature': sign(this.twiml.url, {}) },
            tags: { name: 'media_stream' },
        });
        this.ws = ws;
        ws.onopen = () => this.opened();
        ws.onmessage = (event) => this.received(event);
        ws.onerror = (event) => this.fail('socket error: ' + (event ? event.error : 'unknown'));
        ws.onclose = () => this.closed();
        this.watchdog = setTimeout(() => this.fail('call took longer than ' + MAX_CALL_MS + ' ms'), MAX_CALL_MS);
    }

    opened() {
        const now = Date.now();
        this.send(messages.connected());
        this.send(messages.start(++this.seq, ACCOUNT_SID, this.stream, this.sid, this.twiml.parameters));
        this.startedMs = now;
        this.mediaStartMs = now;
        this.enter('greeting', now);
        this.ticker = setInterval(() => this.tick(), FRAME_MS);
    }

    tick() {
        const now = Date.now();
        // Every frame due since the stream started: a late timer catches up, as Twilio's network does.
        while (this.phase !== 'done' && this.mediaStartMs + this.chunk * FRAME_MS <= now) {
            this.sendFrame(now);
        }
        this.echoDueMarks(now);
        this.step(now);
    }

    /** @param {number} now */
    sendFrame(now) {
        const frame = new Uint8Array(FRAME_BYTES).fill(0xff); // digital silence between utterances
        let endsSpeech = false;
        if (this.speech !== null) {
            const n = Math.min(FRAME_BYTES, this.speech.length - this.speechPos);
            frame.set(this.speech.subarray(this.speechPos, this.speechPos + n));
            this.speechPos += n;
            if (this.speechPos >= this.speech.length) {
                this.speech = null;
                endsSpeech = true;
            }
        }
        this.chunk++;
        const payload = encoding.b64encode(frame.buffer);
        this.send(messages.media(++this.seq, this.stream, this.chunk, (this.chunk - 1) * FRAME_MS, payload));
        if (endsSpeech) {
            this.spokeMs = now;
            this.enter('awaitingAnswer', now);
        }
    }

    /** @param {import('k6/websockets').MessageEvent | undefined} event */
    received(event) {
        const now = Date.now();
        if (event === undefined || typeof event.data !== 'string') {
            protocolErrors.add(1, { problem: 'binary frame' }); // Twilio error 31950
            return;
        }
        const message = parseServerMessage(event.data, this.stream);
        switch (message.kind) {
            case 'media':
                this.playout.audio(message.bytes, now);
                this.lastMediaMs = now;
                if (this.phase === 'greeting' && this.greetedMs < 0) {
                    this.greetedMs = now;
                    greetingLatency.add(now - this.startedMs);
                } else if (this.phase === 'awaitingAnswer') {
                    replyLatency.add(now - this.spokeMs);
                    this.enter('agentTalking', now);
                }
                break;
            case 'mark':
                this.playout.mark(message.name, now);
                break;
            case 'clear':
                this.playout.clear(now);
                clearsReceived.add(1);
                break;
            default:
                protocolErrors.add(1, { problem: message.problem }); // Twilio error 31951: not acted on
        }
        this.echoDueMarks(now); // a mark on an idle line, or the marks a clear released, go back at once
    }

    /** @param {number} now */
    step(now) {
        const agentQuiet = this.playout.drained(now) && this.lastMediaMs >= 0 && now - this.lastMediaMs >= QUIET_MS;
        const waited = now - this.phaseSince;
        switch (this.phase) {
            case 'greeting':
                if (this.greetedMs < 0 && waited > REPLY_TIMEOUT_MS) {
                    this.fail('no greeting within ' + REPLY_TIMEOUT_MS + ' ms');
                } else if (this.greetedMs >= 0 && agentQuiet) {
                    this.pause(now);
                }
                break;
            case 'pausing':
                if (now >= this.speakAtMs) {
                    this.turn++;
                    this.speech = CLIPS[(this.turn - 1) % CLIPS.length];
                    this.speechPos = 0;
                    this.enter('speaking', now);
                }
                break;
            case 'awaitingAnswer':
                if (waited > REPLY_TIMEOUT_MS) {
                    this.fail('turn ' + this.turn + ': no answer within ' + REPLY_TIMEOUT_MS + ' ms');
                }
                break;
            case 'agentTalking':
                if (agentQuiet) {
                    if (this.turn >= TURNS) {
                        this.hangUp();
                    } else {
                        this.pause(now);
                    }
                } else if (waited > TALK_TIMEOUT_MS) {
                    this.fail('turn ' + this.turn + ': agent still talking after ' + TALK_TIMEOUT_MS + ' ms');
                }
                break;
            default:
                break; // connecting, speaking (sendFrame moves on), done
        }
    }

    /** A caller thinks before talking: the mean pause, varied by ±25 %. @param {number} now */
    pause(now) {
        this.speakAtMs = now + PAUSE_MS * (0.75 + 0.5 * Math.random());
        this.enter('pausing', now);
    }

    /** @param {Phase} phase @param {number} now */
    enter(phase, now) {
        this.phase = phase;
        this.phaseSince = now;
    }

    /** @param {number} now */
    echoDueMarks(now) {
        for (const name of this.playout.advance(now)) {
            this.send(messages.mark(++this.seq, this.stream, name));
        }
    }

    /** @param {string} text */
    send(text) {
        if (this.ws !== null && this.ws.readyState === WebSocket.OPEN) {
            this.ws.send(text);
        }
    }

    /** Hangs up as Twilio does: `stop`, then a normal close. */
    hangUp() {
        if (this.phase === 'done') {
            return;
        }
        this.send(messages.stop(++this.seq, this.stream, ACCOUNT_SID, this.sid));
        this.finish();
        if (this.ws !== null) {
            this.ws.close(1000, 'call ended');
        }
    }

    /** @param {string} reason */
    fail(reason) {
        if (this.phase === 'done') {
            return;
        }
        console.warn('call ' + this.sid + ' failed: ' + reason);
        this.failure = reason;
        this.hangUp();
    }

    closed() {
        if (this.phase !== 'done') {
            this.failure = this.failure || 'server closed the stream in phase ' + this.phase;
            this.finish();
        }
    }

    /** Records the call once, and stops its timers so the iteration can end. */
    finish() {
        this.phase = 'done';
        if (this.ticker !== null) {
            clearInterval(this.ticker);
        }
        if (this.watchdog !== null) {
            clearTimeout(this.watchdog);
        }
        for (const gap of this.playout.gaps) {
            audioGaps.add(1);
            audioGapMs.add(gap);
        }
        callSuccess.add(this.failure === null);
        if (this.failure !== null) {
            callsFailed.add(1, { reason: this.failure.replace(/[0-9]+/g, 'N') });
        }
    }
}
