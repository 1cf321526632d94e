package dev.voiceagent.store;

import java.util.List;
import java.util.Map;

/** Everything stored about one call: turns in order, extracted facts, after-call delivery status. */
public record CallDetail(StoredCall call, List<TurnRecord> turns, Map<String, String> facts,
                         List<DeliveryStatus> deliveries) {

    public CallDetail {
        turns = List.copyOf(turns);
        facts = Map.copyOf(facts);
        deliveries = List.copyOf(deliveries);
    }
}
