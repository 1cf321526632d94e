// Unit tests of the k6 scripts' Twilio playout model, run with node's test runner (no k6 needed).
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { Playout } from './playout.js';

test('marks are echoed when the audio before them has played', () => {
    const p = new Playout();
    p.audio(1600, 0); // 200 ms
    p.mark('r1.0', 5);
    assert.deepEqual(p.advance(199), []);
    assert.deepEqual(p.advance(200), ['r1.0']);
    assert.equal(p.drained(200), true);
});

test('a mark on an idle line is echoed at once', () => {
    const p = new Playout();
    p.mark('r1.end', 10);
    assert.deepEqual(p.advance(10), ['r1.end']);
});

test('clear drops buffered audio and echoes every pending mark at once', () => {
    const p = new Playout();
    p.audio(8000, 0); // 1 s
    p.mark('r1.0', 0);
    p.audio(8000, 0);
    p.mark('r1.end', 0);
    p.clear(300);
    assert.deepEqual(p.advance(300), ['r1.0', 'r1.end']);
    assert.equal(p.drained(300), true);
    assert.equal(p.clears, 1);
    p.audio(160, 500); // the next reply after a clear is not a stutter
    assert.deepEqual(p.gaps, []);
});

test('audio that arrives late after the buffer ran dry is a stutter', () => {
    const p = new Playout();
    p.audio(160, 0);   // plays 0..20 ms
    p.audio(160, 10);  // 20..40 ms
    p.audio(160, 100); // buffer ran dry at 40 ms: a 60 ms hole
    assert.deepEqual(p.gaps, [60]);
});

test('short jitter and long turn boundaries are not stutters', () => {
    const p = new Playout();
    p.audio(160, 0);
    p.audio(160, 30);   // dry at 20, resumed at 30: 10 ms, jitter
    p.audio(160, 3000); // dry at 50, resumed 2950 ms later: the next turn
    assert.deepEqual(p.gaps, []);
});
