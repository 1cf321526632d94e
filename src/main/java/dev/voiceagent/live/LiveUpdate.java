package dev.voiceagent.live;

import java.util.List;

/** What a {@link LiveCalls.Subscription} hands its reader next. */
public sealed interface LiveUpdate {

    /**
     * Every call in progress as it stands: the first update of a subscription, and again after the reader fell
     * behind and events were dropped (start over from this; events after it may repeat what it already holds, so
     * readers apply turns by their {@code seq}).
     */
    record Snapshot(List<LiveCall> calls) implements LiveUpdate {

        public Snapshot {
            calls = List.copyOf(calls);
        }
    }

    /** One event, in the order the calls published them. */
    record Event(LiveEvent event) implements LiveUpdate {
    }

    /** The feed was closed (server shutting down): no more updates. */
    record Closed() implements LiveUpdate {
    }
}
