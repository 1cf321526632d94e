package dev.voiceagent.call;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The calls in progress on this server, for health, metrics and shutdown. */
public final class CallRegistry {

    private final Set<CallSession> active = ConcurrentHashMap.newKeySet();

    void add(CallSession session) {
        active.add(session);
    }

    void remove(CallSession session) {
        active.remove(session);
    }

    public int size() {
        return active.size();
    }

    /** Call sids of the calls in progress. */
    public List<String> callSids() {
        return active.stream().map(CallSession::callSid).toList();
    }
}
