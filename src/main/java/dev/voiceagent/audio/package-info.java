/**
 * Audio plumbing for one Twilio Media Streams call: G.711 mu-law at 8 kHz mono in 20 ms frames.
 *
 * <p>Everything here is pure and single-threaded per call: no I/O, no clocks (time is passed in),
 * no shared mutable state. The per-frame paths ({@link dev.voiceagent.audio.VoiceActivityDetector},
 * {@link dev.voiceagent.audio.TurnDetector}, {@link dev.voiceagent.audio.UtteranceBuffer},
 * {@link dev.voiceagent.audio.PlayoutPacer}) do not allocate per frame, because they run 50 times a second
 * for every concurrent call.
 */
package dev.voiceagent.audio;
