package dev.voiceagent.persona;

import java.time.ZoneId;
import java.util.List;

import dev.voiceagent.tools.ToolSet;
import dev.voiceagent.tts.Voice;

/**
 * Who the agent is on a call: how it sounds, what it says at fixed moments, how it thinks and how it
 * takes turns. Immutable; a call keeps the persona it started with even if the file is edited.
 *
 * @param id          stable identifier, used in TwiML parameters and stored calls
 * @param displayName human name for operators
 * @param numbers     dialed numbers (E.164) this persona answers
 * @param voice       ElevenLabs voice plus the fallback speaker
 * @param llmModel    Workers AI text-generation model
 * @param temperature sampling temperature
 * @param maxTokens   reply length cap
 * @param prompt      the persona's own instructions
 * @param collect     facts the agent should find out (name, reason, ...), extracted after the call
 * @param endWhen     when the agent should end the call
 * @param greeting    first words of every call
 * @param returningGreeting first words for a caller whose name is known from an earlier call; {@code {name}}
 *                    stands for it (empty: the usual greeting)
 * @param reprompt    said after a long caller silence
 * @param goodbye     said before hanging up on silence or at the time limit
 * @param apology     said when a vendor failed and the agent could not answer
 * @param tags        CRM tags for calls handled by this persona
 * @param turnTaking  listening and interruption settings
 * @param stt         which speech-to-text listens to the caller
 * @param memory      the most a returning caller is remembered ({@link CallerMemory#granted} lowers it for an
 *                    unverified caller ID)
 * @param timeZone    the persona's time zone (IANA id): the agent's "now", opening hours, calling windows
 * @param digits      whether keypad digits are stored and pushed to the CRM, or masked
 * @param transport   how calls reach the server: Media Streams (our own listening and voice) or ConversationRelay
 * @param relay       Twilio's voice and recognition settings for ConversationRelay calls (unused for media streams)
 * @param tools       the tools the agent may use on this persona's calls, and the filler and transfer lines
 */
public record Persona(String id,
                      String displayName,
                      List<String> numbers,
                      Voice voice,
                      String llmModel,
                      double temperature,
                      int maxTokens,
                      String prompt,
                      List<FactSpec> collect,
                      String endWhen,
                      String greeting,
                      String returningGreeting,
                      String reprompt,
                      String goodbye,
                      String apology,
                      List<String> tags,
                      TurnTaking turnTaking,
                      Stt stt,
                      CallerMemory memory,
                      ZoneId timeZone,
                      DigitPolicy digits,
                      Transport transport,
                      RelaySettings relay,
                      ToolSet tools) {

    public Persona {
        numbers = List.copyOf(numbers);
        collect = List.copyOf(collect);
        tags = List.copyOf(tags);
    }
}
