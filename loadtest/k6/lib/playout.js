// Twilio's outbound playout buffer for one stream, in the k6 scripts: what the caller hears, and when.
//
// Twilio buffers the server's `media` messages and plays them in order at real time (8000 bytes/s); a `mark`
// waits in the same queue and is echoed when playout reaches it, or at once if nothing is buffered; a `clear`
// drops everything buffered and echoes every pending mark at once. Time is passed in (milliseconds), so this is
// plain deterministic JavaScript with no k6 import, tested with node (playout.test.js).
//
// It also finds stutters: when the buffer runs dry and more audio follows within 1.5 s, the caller heard a hole in
// the middle of the agent's speech (a longer silence is the end of a turn; a hole under 20 ms, one Twilio frame,
// is scheduling jitter).

/** Holes shorter than this are jitter, not stutters. */
export const MIN_GAP_MS = 20;
/** Silences longer than this are turn boundaries, not stutters. */
export const MAX_GAP_MS = 1500;

/**
 * @typedef {{ kind: 'audio', ms: number } | { kind: 'mark', name: string }} QueueItem
 */

export class Playout {
    constructor() {
        /** @type {QueueItem[]} */
        this.queue = [];
        /** @type {string[]} marks to echo now */
        this.marksDue = [];
        /** @type {number[]} stutters heard, in ms */
        this.gaps = [];
        this.playing = false;
        this.playStartMs = 0;
        this.playedMs = 0;
        this.dry = false;
        this.dryAtMs = 0;
        this.clears = 0;
        this.lastAudioAtMs = -1;
    }

    /**
     * A `media` message of `bytes` mu-law bytes arrived at `nowMs`.
     * @param {number} bytes
     * @param {number} nowMs
     */
    audio(bytes, nowMs) {
        this.update(nowMs);
        this.lastAudioAtMs = nowMs;
        if (bytes <= 0) {
            return;
        }
        this.queue.push({ kind: 'audio', ms: bytes / 8 });
        if (!this.playing) {
            if (this.dry) {
                const hole = nowMs - this.dryAtMs;
                if (hole >= MIN_GAP_MS && hole <= MAX_GAP_MS) {
                    this.gaps.push(hole);
                }
            }
            this.dry = false;
            this.playing = true;
            this.playStartMs = nowMs;
            this.playedMs = 0;
        }
    }

    /**
     * A `mark` arrived: due once the audio queued before it has played.
     * @param {string} name
     * @param {number} nowMs
     */
    mark(name, nowMs) {
        this.update(nowMs);
        if (this.playing) {
            this.queue.push({ kind: 'mark', name: name });
        } else {
            this.marksDue.push(name);
        }
    }

    /**
     * A `clear` arrived: buffered audio is dropped and every pending mark becomes due now.
     * @param {number} nowMs
     */
    clear(nowMs) {
        this.update(nowMs);
        for (const item of this.queue) {
            if (item.kind === 'mark') {
                this.marksDue.push(item.name);
            }
        }
        this.queue = [];
        this.playing = false;
        this.dry = false; // the silence after a clear was asked for: not a stutter
        this.clears++;
    }

    /**
     * Plays everything due by `nowMs`; returns the marks to echo now, in order.
     * @param {number} nowMs
     * @returns {string[]}
     */
    advance(nowMs) {
        this.update(nowMs);
        const due = this.marksDue;
        this.marksDue = [];
        return due;
    }

    /**
     * True if nothing is buffered or playing at `nowMs` and no mark waits to be echoed.
     * @param {number} nowMs
     */
    drained(nowMs) {
        this.update(nowMs);
        return !this.playing && this.marksDue.length === 0;
    }

    /** @param {number} nowMs */
    update(nowMs) {
        while (this.playing) {
            const due = this.playStartMs + this.playedMs; // when the next queued item starts playing
            if (due > nowMs) {
                return;
            }
            const head = this.queue.shift();
            if (head === undefined) {
                this.playing = false;
                this.dry = true;
                this.dryAtMs = due;
            } else if (head.kind === 'mark') {
                this.marksDue.push(head.name);
            } else {
                this.playedMs += head.ms;
            }
        }
    }
}
