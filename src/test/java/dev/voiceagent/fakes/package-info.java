/**
 * Test doubles for the telephony edge. {@link dev.voiceagent.fakes.FakeTwilioCaller} places a fake phone
 * call against the real server over its Twilio Media Streams WebSocket:
 *
 * <pre>{@code
 * try (FakeTwilioCaller caller = FakeTwilioCaller.connect(uri, Map.of("X-Twilio-Signature", signature))) {
 *     caller.start("CA...", Map.of("FirstName", "Jane"));
 *     caller.speak(FakeTwilioCaller.clip("book_appointment"));
 *     long replyAt = caller.awaitAudioAfter(caller.lastSpeechFrameNanos(), Duration.ofSeconds(5));
 *     caller.awaitQuiet(Duration.ofMillis(800), Duration.ofSeconds(20));
 *     assertThat(caller.gapsMillis(), is(empty()));
 *     caller.stop();
 * }
 * }</pre>
 *
 * Speech clips live in {@code src/test/resources/clips} (see the README there).
 */
package dev.voiceagent.fakes;
