// Unit tests of the k6 scripts' Twilio helpers, run with node's test runner (no k6 needed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';

import { base64Bytes, callSid, parseRelayMessage, parseRelayTwiml, parseServerMessage, parseTwiml, relayMessages, signatureData, streamSid } from './twilio.js';

test('signature data reproduces Twilio\'s documented example', () => {
    // https://www.twilio.com/docs/usage/security: auth token 12345 signs this to L/OH5YylLD5NRKLltdqwSvS0BnU=
    const data = signatureData('https://example.com/myapp.php?foo=1&bar=2', {
        To: '+18005551212', From: '+14158675310', Digits: '1234', Caller: '+14158675310', CallSid: 'CA1234567890ABCDE',
    });
    assert.equal(createHmac('sha1', '12345').update(data).digest('base64'), 'L/OH5YylLD5NRKLltdqwSvS0BnU=');
});

test('reads the stream URL and parameters of the TwiML answer', () => {
    const twiml = parseTwiml('<?xml version="1.0" encoding="UTF-8"?><Response><Connect>'
        + '<Stream url="wss://agent.example.test/twilio/media"><Parameter name="persona" value="load"/>'
        + '<Parameter name="token" value="a&amp;b&quot;c"/></Stream></Connect></Response>');
    assert.deepEqual(twiml, {
        url: 'wss://agent.example.test/twilio/media',
        parameters: { persona: 'load', token: 'a&b"c' },
    });
    assert.equal(parseTwiml('<Response><Say>Sorry</Say><Hangup/></Response>'), null);
});

test('server frames are validated like Twilio does', () => {
    const sid = streamSid(7);
    assert.deepEqual(parseServerMessage(JSON.stringify({ event: 'media', streamSid: sid, media: { payload: 'AAAA' } }), sid),
        { kind: 'media', bytes: 3 });
    assert.deepEqual(parseServerMessage(JSON.stringify({ event: 'mark', streamSid: sid, mark: { name: 'r1.end' } }), sid),
        { kind: 'mark', name: 'r1.end' });
    assert.deepEqual(parseServerMessage(JSON.stringify({ event: 'clear', streamSid: sid }), sid), { kind: 'clear' });
    assert.equal(parseServerMessage(JSON.stringify({ event: 'clear', streamSid: 'MZother' }), sid).kind, 'invalid');
    assert.equal(parseServerMessage('{"event":"playload"', sid).kind, 'invalid');
});

test('ids have Twilio\'s shape', () => {
    assert.match(streamSid(42), /^MZ[0-9a-f]{32}$/);
    assert.match(callSid('18c2f5a1b2c', 42), /^CA18c2f5a1b2c0*2a$/);
    assert.equal(callSid('18c2f5a1b2c', 42).length, 34);
    assert.notEqual(callSid('18c2f5a1b2c', 1), callSid('18c2f5a1b2c', 2));
});

test('payload length from base64 without decoding', () => {
    assert.equal(base64Bytes(Buffer.alloc(160).toString('base64')), 160);
    assert.equal(base64Bytes(Buffer.alloc(161).toString('base64')), 161);
    assert.equal(base64Bytes(Buffer.alloc(162).toString('base64')), 162);
});

test('reads the ConversationRelay URL and parameters of a relay answer', () => {
    const xml = '<?xml version="1.0" encoding="UTF-8"?><Response><Connect action="https://a.test/twilio/relay/action">'
        + '<ConversationRelay url="wss://a.test/twilio/relay" welcomeGreeting="Hi"><Parameter name="token" value="t1"/>'
        + '</ConversationRelay></Connect></Response>';
    assert.deepEqual(parseRelayTwiml(xml), { url: 'wss://a.test/twilio/relay', parameters: { token: 't1' } });
    assert.equal(parseTwiml(xml), null);
    assert.equal(parseRelayTwiml('<Response><Connect><Stream url="wss://a.test/twilio/media"/></Connect></Response>'), null);
});

test('relay messages: text tokens keep their spaces, end is recognised, anything else is an error', () => {
    assert.deepEqual(parseRelayMessage('{"type":"text","token":" there, ","last":false}'), { kind: 'text', token: ' there, ', last: false });
    assert.deepEqual(parseRelayMessage('{"type":"text","token":"","last":true}'), { kind: 'text', token: '', last: true });
    assert.deepEqual(parseRelayMessage('{"type":"end","handoffData":"{}"}'), { kind: 'end' });
    assert.equal(parseRelayMessage('{"type":"text"}').kind, 'error');
    assert.equal(parseRelayMessage('nope').kind, 'error');
    assert.equal(JSON.parse(relayMessages.prompt('Hi')).last, true);
    assert.equal(JSON.parse(relayMessages.setup('CA1', '+1', '+2', { token: 't' })).customParameters.token, 't');
});
