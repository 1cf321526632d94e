package dev.voiceagent.call;

import java.time.Clock;
import java.time.Duration;
import java.util.function.LongSupplier;

import dev.voiceagent.config.Settings;
import dev.voiceagent.llm.LanguageModel;
import dev.voiceagent.observe.CallMetrics;
import dev.voiceagent.persona.PersonaCatalog;
import dev.voiceagent.store.CallJournal;
import dev.voiceagent.store.CallerHistory;
import dev.voiceagent.stt.LiveRecognizers;
import dev.voiceagent.stt.SpeechToText;
import dev.voiceagent.tts.VoiceRouter;
import dev.voiceagent.twilio.CallControl;
import dev.voiceagent.twilio.StreamTokens;

/**
 * What every call shares: settings, vendor clients, caches and bookkeeping. Built once by {@code Main}.
 *
 * @param stt            batch speech-to-text (Whisper): personas that ask for it, and the fallback of live ones
 * @param recognizers    live speech-to-text sockets, by model
 * @param voices         text-to-speech: each call takes its own voice ({@link VoiceRouter#forCall()}), sharing the
 *                       phrase cache, the vendor-wide breaker and the concurrency limit
 * @param journal        stores each call and its turns as they happen, behind the call's back
 * @param history        what is remembered of a returning caller
 * @param afterCallGiveUp how long after a call its CRM delivery may keep being retried
 * @param nanoTime       monotonic clock for latencies and timers (System::nanoTime outside tests)
 * @param ticker         the one clock thread every call's timed waits are woken by, reading {@code nanoTime}
 * @param clock          wall clock for dates in the prompt and stored timestamps
 */
public record CallServices(Settings.Calls settings,
                           PersonaCatalog personas,
                           SpeechToText stt,
                           LiveRecognizers recognizers,
                           LanguageModel llm,
                           VoiceRouter voices,
                           CallControl callControl,
                           StreamTokens tokens,
                           CallRegistry registry,
                           CallMetrics metrics,
                           CallJournal journal,
                           CallerHistory history,
                           Duration afterCallGiveUp,
                           LongSupplier nanoTime,
                           Ticker ticker,
                           Clock clock) {
}
