package dev.voiceagent.store;

import java.util.List;

/** One page of calls, newest first, and how many match in all. */
public record CallPage(List<StoredCall> calls, long total) {

    public CallPage {
        calls = List.copyOf(calls);
    }
}
