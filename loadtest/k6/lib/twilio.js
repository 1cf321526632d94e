// Twilio's side of the wire for the k6 scripts: the Media Streams messages Twilio sends, the string Twilio's
// request signature is computed over, and reading the <Connect><Stream> TwiML. No k6 import, so node tests it
// (twilio.test.js); the HMAC itself is k6/crypto's, in calls.js.

/**
 * The data X-Twilio-Signature is the HMAC-SHA1 (base64) of: the full URL, then each POST parameter's name and
 * value, sorted by name (https://www.twilio.com/docs/usage/security).
 * @param {string} url
 * @param {Record<string, string>} params
 * @returns {string}
 */
export function signatureData(url, params) {
    let data = url;
    for (const name of Object.keys(params).sort()) {
        data += name + params[name];
    }
    return data;
}

/**
 * @typedef {{ url: string, parameters: Record<string, string> }} StreamTwiml
 */

/**
 * The stream URL and <Parameter>s of a <Connect><Stream> answer, or null if there is no single <Stream>.
 * @param {string} xml
 * @returns {StreamTwiml | null}
 */
export function parseTwiml(xml) {
    return parseConnect(xml, /<Stream\b[^>]*>/g);
}

/**
 * The socket URL and <Parameter>s of a <Connect><ConversationRelay> answer, or null if there is no single
 * <ConversationRelay>.
 * @param {string} xml
 * @returns {StreamTwiml | null}
 */
export function parseRelayTwiml(xml) {
    return parseConnect(xml, /<ConversationRelay\b[^>]*>/g);
}

/**
 * @param {string} xml
 * @param {RegExp} element
 * @returns {StreamTwiml | null}
 */
function parseConnect(xml, element) {
    const streams = xml.match(element);
    if (streams === null || streams.length !== 1) {
        return null;
    }
    const url = attribute(streams[0], 'url');
    if (url === null) {
        return null;
    }
    /** @type {Record<string, string>} */
    const parameters = {};
    for (const tag of xml.match(/<Parameter\b[^>]*>/g) || []) {
        const name = attribute(tag, 'name');
        const value = attribute(tag, 'value');
        if (name !== null && value !== null) {
            parameters[name] = value;
        }
    }
    return { url: url, parameters: parameters };
}

/**
 * @param {string} tag
 * @param {string} name
 * @returns {string | null}
 */
function attribute(tag, name) {
    const m = tag.match(new RegExp('\\s' + name + '="([^"]*)"'));
    return m === null ? null : unescapeXml(m[1]);
}

/** @param {string} s */
function unescapeXml(s) {
    return s.replace(/&(lt|gt|quot|apos|amp);/g, (_, e) =>
        e === 'lt' ? '<' : e === 'gt' ? '>' : e === 'quot' ? '"' : e === 'apos' ? "'" : '&');
}

/**
 * The calls scenario both k6 scripts run: ramp to `calls` virtual users (one call per iteration), hold, and let a
 * VU in the middle of a call finish it (every call ends within `maxCallMs`).
 * @param {number} calls @param {number} rampSeconds @param {number} holdSeconds @param {number} maxCallMs
 * @returns {import('k6/options').Scenario}
 */
export function callsScenario(calls, rampSeconds, holdSeconds, maxCallMs) {
    return {
        executor: /** @type {const} */ ('ramping-vus'),
        startVUs: 0,
        stages: [
            { duration: rampSeconds + 's', target: calls },
            { duration: holdSeconds + 's', target: calls },
        ],
        gracefulRampDown: Math.ceil(maxCallMs / 1000) + 's',
        gracefulStop: Math.ceil(maxCallMs / 1000) + 's',
    };
}

/** A fresh stream id: MZ and 32 hex digits, like Twilio's. @param {number} n */
export function streamSid(n) {
    return 'MZ' + hex32(n);
}

/** A CallSid: CA and 32 hex digits, the run's id (hex) first, then n. @param {string} run  @param {number} n */
export function callSid(run, n) {
    return 'CA' + (run + hex32(n).slice(run.length)).slice(0, 32);
}

/** @param {number} n */
function hex32(n) {
    return ('00000000000000000000000000000000' + n.toString(16)).slice(-32);
}

export const messages = {
    connected() {
        return JSON.stringify({ event: 'connected', protocol: 'Call', version: '1.0.0' });
    },
    /**
     * @param {number} seq
     * @param {string} accountSid
     * @param {string} stream
     * @param {string} call
     * @param {Record<string, string>} customParameters
     */
    start(seq, accountSid, stream, call, customParameters) {
        return JSON.stringify({
            event: 'start',
            sequenceNumber: String(seq),
            start: {
                accountSid: accountSid,
                streamSid: stream,
                callSid: call,
                tracks: ['inbound'],
                mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
                customParameters: customParameters,
            },
            streamSid: stream,
        });
    },
    /**
     * @param {number} seq
     * @param {string} stream
     * @param {number} chunk
     * @param {number} timestampMs
     * @param {string} payloadBase64
     */
    media(seq, stream, chunk, timestampMs, payloadBase64) {
        return JSON.stringify({
            event: 'media',
            sequenceNumber: String(seq),
            media: { track: 'inbound', chunk: String(chunk), timestamp: String(timestampMs), payload: payloadBase64 },
            streamSid: stream,
        });
    },
    /** @param {number} seq @param {string} stream @param {string} name */
    mark(seq, stream, name) {
        return JSON.stringify({ event: 'mark', sequenceNumber: String(seq), streamSid: stream, mark: { name: name } });
    },
    /** @param {number} seq @param {string} stream @param {string} accountSid @param {string} call */
    stop(seq, stream, accountSid, call) {
        return JSON.stringify({
            event: 'stop',
            sequenceNumber: String(seq),
            stop: { accountSid: accountSid, callSid: call },
            streamSid: stream,
        });
    },
};

/**
 * @typedef {{ kind: 'media', bytes: number } | { kind: 'mark', name: string } | { kind: 'clear' }
 *           | { kind: 'invalid', problem: string }} ServerMessage
 */

/**
 * Reads a frame from the server the way Twilio validates it: only media, mark and clear, on our stream.
 * `bytes` is the decoded payload length, from the base64 length (no decoding needed).
 * @param {string} text
 * @param {string} stream
 * @returns {ServerMessage}
 */
export function parseServerMessage(text, stream) {
    /** @type {any} */
    let m;
    try {
        m = JSON.parse(text);
    } catch (e) {
        return { kind: 'invalid', problem: 'not JSON' };
    }
    if (m === null || typeof m !== 'object') {
        return { kind: 'invalid', problem: 'not a JSON object' };
    }
    if (m.streamSid !== stream) {
        return { kind: 'invalid', problem: 'wrong or missing streamSid' };
    }
    if (m.event === 'media' && m.media && typeof m.media.payload === 'string') {
        return { kind: 'media', bytes: base64Bytes(m.media.payload) };
    }
    if (m.event === 'mark' && m.mark && typeof m.mark.name === 'string') {
        return { kind: 'mark', name: m.mark.name };
    }
    if (m.event === 'clear') {
        return { kind: 'clear' };
    }
    return { kind: 'invalid', problem: 'unknown or incomplete event ' + String(m.event) };
}

/** Decoded length of standard base64. @param {string} b64 */
export function base64Bytes(b64) {
    const padding = b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0;
    return Math.floor(b64.length / 4) * 3 - padding;
}

/**
 * One ConversationRelay message from the server: a `text` token (with `last`), `end`, or a protocol error
 * (a text message without a string token, an unknown type, not JSON).
 * @param {string} data
 * @returns {{ kind: 'text', token: string, last: boolean } | { kind: 'end' } | { kind: 'error', detail: string }}
 */
export function parseRelayMessage(data) {
    let m;
    try {
        m = JSON.parse(data);
    } catch (e) {
        return { kind: 'error', detail: 'not JSON' };
    }
    if (m !== null && m.type === 'text' && typeof m.token === 'string') {
        return { kind: 'text', token: m.token, last: m.last === true };
    }
    if (m !== null && m.type === 'end') {
        return { kind: 'end' };
    }
    return { kind: 'error', detail: 'unexpected message ' + String(data).slice(0, 80) };
}

export const relayMessages = {
    /**
     * @param {string} sid
     * @param {string} from
     * @param {string} to
     * @param {Record<string, string>} parameters
     */
    setup(sid, from, to, parameters) {
        return JSON.stringify({
            type: 'setup', sessionId: 'VX' + sid.slice(2), accountSid: 'AC00000000000000000000000000000042',
            callSid: sid, from: from, to: to, direction: 'inbound', callStatus: 'RINGING', customParameters: parameters,
        });
    },
    /** @param {string} words */
    prompt(words) {
        return JSON.stringify({ type: 'prompt', voicePrompt: words, lang: 'en-US', last: true });
    },
};
