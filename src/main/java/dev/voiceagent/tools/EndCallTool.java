package dev.voiceagent.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The {@code end_call} built-in: the model ends the call, as with the {@code [END_CALL]} token (which keeps
 * working). The call loop says any words the model gave with it (else the persona's goodbye), waits for them to play,
 * and hangs up. Stateless; never blocks.
 */
public final class EndCallTool implements Tool {

    private static final ToolSpec SPEC;

    static {
        ObjectNode parameters = new ObjectMapper().createObjectNode().put("type", "object");
        parameters.putObject("properties");
        SPEC = new ToolSpec(BuiltinTool.END_CALL.wireName(),
                            "Ends the phone call. Use it once the caller's request is handled or they say goodbye; "
                            + "say your goodbye in the same reply.", parameters);
    }

    @Override
    public ToolSpec spec() {
        return SPEC;
    }

    @Override
    public ToolOutcome run(JsonNode arguments, ToolContext context) {
        return new ToolOutcome.EndCall();
    }
}
