package dev.voiceagent.call;

import java.util.function.Consumer;

import dev.voiceagent.observe.CallLog;
import dev.voiceagent.persona.Persona;
import dev.voiceagent.tools.ToolContext;
import dev.voiceagent.tts.CallVoice;

/**
 * What every reply of one call is produced with: the shared services, the call's persona, its own voice (with its
 * own failover state), its playout, its log, the way back to the call thread, and what the persona's tools are told
 * about the call.
 */
record ReplyContext(CallServices services, Persona persona, CallVoice voice, Playout playout, CallLog log,
                    Consumer<CallInput> post, ToolContext tools) {
}
