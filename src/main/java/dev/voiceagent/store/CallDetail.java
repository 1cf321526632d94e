package dev.voiceagent.store;

import java.util.List;
import java.util.Map;

/**
 * Everything stored about one call: turns in order, extracted facts, after-call delivery status, and the tools the
 * model called, in order.
 */
public record CallDetail(StoredCall call, List<TurnRecord> turns, Map<String, String> facts,
                         List<DeliveryStatus> deliveries, List<ToolCallRecord> toolCalls) {

    public CallDetail(StoredCall call, List<TurnRecord> turns, Map<String, String> facts,
                      List<DeliveryStatus> deliveries) {
        this(call, turns, facts, deliveries, List.of());
    }

    public CallDetail {
        turns = List.copyOf(turns);
        toolCalls = List.copyOf(toolCalls);
        facts = Map.copyOf(facts);
        deliveries = List.copyOf(deliveries);
    }
}
