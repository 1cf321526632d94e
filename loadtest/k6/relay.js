// Many concurrent ConversationRelay calls against the voice agent (personas with `transport: conversation-relay`):
// the signed voice webhook, then the relay WebSocket, `setup` with the TwiML's parameters, and text prompts at a
// human pace (a pause for the welcome greeting, then per turn a pause, a `prompt`, the streamed answer, and the time
// Twilio would take to speak it). Twilio does the listening and speaking, so there is no audio here.
//
// Measures, per turn, the time from the prompt sent to the first `text` token received (`relay_first_token`), with
// thresholds so that k6 exits non-zero when the agent is too slow or breaks the protocol.
//
//   k6 run -e SERVER_URL=http://127.0.0.1:18080 -e CALLS=200 loadtest/k6/relay.js
//
// The server must verify signatures with the same PUBLIC_BASE_URL and TWILIO_AUTH_TOKEN as given here, answer
// AGENT_NUMBER with a conversation-relay persona, and talk to fake vendors (loadtest/java/.../FakeVendorsMain).
// Send load only to machines you own.

import http from 'k6/http';
import { check } from 'k6';
import crypto from 'k6/crypto';
import exec from 'k6/execution';
import { Counter, Rate, Trend } from 'k6/metrics';
import { clearTimeout, setTimeout } from 'k6/timers';
import { WebSocket } from 'k6/websockets';

import { callSid, callsScenario, parseRelayMessage, parseRelayTwiml, relayMessages, signatureData } from './lib/twilio.js';

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
const GREETING_MS = num('GREETING_MS', 2000);
const SPEECH_MS_PER_CHAR = num('SPEECH_MS_PER_CHAR', 60);
const REPLY_TIMEOUT_MS = num('REPLY_TIMEOUT_MS', 10000);
const MAX_CALL_MS = num('MAX_CALL_MS', 180000);
const FIRST_TOKEN_P95_MS = num('FIRST_TOKEN_P95_MS', 1500);
const FIRST_TOKEN_P99_MS = num('FIRST_TOKEN_P99_MS', 2000);
const PROMPTS = ['I would like to book an appointment for next Tuesday.', 'Yes, that works, thanks.', 'My name is Dana Reyes.'];

const firstToken = new Trend('relay_first_token', true);
const callSuccess = new Rate('call_success');
const callsFailed = new Counter('calls_failed');
const protocolErrors = new Counter('relay_protocol_errors');

/** @type {import('k6/options').Options} */
export const options = {
    scenarios: {
        calls: callsScenario(CALLS, RAMP_SECONDS, HOLD_SECONDS, MAX_CALL_MS),
    },
    thresholds: {
        call_success: ['rate==1'],
        relay_protocol_errors: ['count==0'],
        relay_first_token: ['p(95)<' + FIRST_TOKEN_P95_MS, 'p(99)<' + FIRST_TOKEN_P99_MS],
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
    const from = '+1555' + String(n % 10000000).padStart(7, '0');
    /** @type {Record<string, string>} */
    const form = {
        CallSid: sid,
        AccountSid: ACCOUNT_SID,
        From: from,
        To: AGENT_NUMBER,
        CallStatus: 'ringing',
        ApiVersion: '2010-04-01',
        Direction: 'inbound',
    };
    const res = http.post(SERVER_URL + '/twilio/voice', form, {
        headers: { 'X-Twilio-Signature': sign(PUBLIC_BASE_URL + '/twilio/voice', form) },
        tags: { name: 'voice_webhook' },
    });
    const twiml = res.status === 200 && typeof res.body === 'string' ? parseRelayTwiml(res.body) : null;
    if (!check(res, { 'webhook answered <Connect><ConversationRelay>': () => twiml !== null }) || twiml === null) {
        callSuccess.add(false);
        callsFailed.add(1, { reason: 'webhook ' + res.status });
        return;
    }
    new RelayCall(sid, from, twiml).run();
}

/**
 * One caller, as Twilio's side of the relay socket: greeting pause → (pause → prompt → answer → speaking) × TURNS →
 * hang up. Timers drive it; every wait is bounded by REPLY_TIMEOUT_MS or MAX_CALL_MS.
 */
class RelayCall {
    /**
     * @param {string} sid
     * @param {string} from
     * @param {import('./lib/twilio.js').StreamTwiml} twiml
     */
    constructor(sid, from, twiml) {
        this.sid = sid;
        this.from = from;
        this.twiml = twiml;
        this.turn = 0;
        this.promptedMs = -1;
        this.answer = '';
        /** @type {string | null} */
        this.failure = null;
        this.done = false;
        /** @type {WebSocket | null} */
        this.ws = null;
        /** @type {number | null} */
        this.replyTimer = null;
        /** @type {number | null} */
        this.watchdog = null;
    }

    run() {
        const path = this.twiml.url.replace(/^wss?:\/\/[^/]+/, '');
        const ws = new WebSocket(SERVER_URL.replace(/^http/, 'ws') + path, null, {
            headers: { 'X-Twilio-Signature': sign(this.twiml.url, {}) },
            tags: { name: 'relay' },
        });
        this.ws = ws;
        ws.onopen = () => {
            ws.send(relayMessages.setup(this.sid, this.from, AGENT_NUMBER, this.twiml.parameters));
            setTimeout(() => this.next(), GREETING_MS);
        };
        ws.onmessage = (event) => this.received(event ? String(event.data) : '');
        ws.onerror = (event) => this.fail('socket error: ' + (event ? event.error : 'unknown'));
        ws.onclose = () => {
            if (!this.done) {
                this.fail('server closed the socket in turn ' + this.turn);
            }
        };
        this.watchdog = setTimeout(() => this.fail('call took longer than ' + MAX_CALL_MS + ' ms'), MAX_CALL_MS);
    }

    /** The next turn after a human pause, or hang up after the last. */
    next() {
        if (this.done) {
            return;
        }
        if (this.turn >= TURNS) {
            this.finish();
            return;
        }
        this.turn++;
        setTimeout(() => {
            if (this.done || this.ws === null) {
                return;
            }
            this.answer = '';
            this.promptedMs = Date.now();
            this.ws.send(relayMessages.prompt(PROMPTS[(this.turn - 1) % PROMPTS.length]));
            this.replyTimer = setTimeout(() => this.fail('turn ' + this.turn + ': no answer within ' + REPLY_TIMEOUT_MS + ' ms'),
                REPLY_TIMEOUT_MS);
        }, PAUSE_MS * (0.75 + 0.5 * Math.random()));
    }

    /** @param {string} data */
    received(data) {
        const m = parseRelayMessage(data);
        if (m.kind === 'error') {
            protocolErrors.add(1);
            this.fail(m.detail);
            return;
        }
        if (m.kind === 'end') {
            this.finish();
            return;
        }
        if (this.promptedMs >= 0 && this.answer === '' && m.token !== '') {
            firstToken.add(Date.now() - this.promptedMs);
        }
        this.answer += m.token;
        if (m.last) {
            if (this.replyTimer !== null) {
                clearTimeout(this.replyTimer);
                this.replyTimer = null;
            }
            this.promptedMs = -1;
            // Twilio speaks the answer before the caller says anything more.
            setTimeout(() => this.next(), this.answer.length * SPEECH_MS_PER_CHAR);
        }
    }

    /** @param {string} reason */
    fail(reason) {
        if (this.failure === null && !this.done) {
            this.failure = reason;
            callsFailed.add(1, { reason: reason.replace(/[0-9]+/g, 'N') });
        }
        this.finish();
    }

    finish() {
        if (this.done) {
            return;
        }
        this.done = true;
        if (this.replyTimer !== null) {
            clearTimeout(this.replyTimer);
        }
        if (this.watchdog !== null) {
            clearTimeout(this.watchdog);
        }
        callSuccess.add(this.failure === null);
        if (this.ws !== null) {
            this.ws.close(1000);
        }
    }
}
