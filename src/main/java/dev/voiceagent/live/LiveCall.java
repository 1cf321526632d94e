package dev.voiceagent.live;

import java.util.List;

/** A call in progress and its turns so far (the most recent {@link LiveCalls#MAX_TURNS_PER_CALL}). Immutable. */
public record LiveCall(LiveEvent.Started started, List<LiveEvent.Turn> turns) {

    public LiveCall {
        turns = List.copyOf(turns);
    }
}
