package dev.voiceagent.tools;

/** Why a tool did not produce a result (stored with the tool call, counted in metrics). */
public enum ToolFailure {
    /** The model's arguments do not fit the tool's schema or make no sense (a past date, no such slot). */
    BAD_ARGUMENTS,
    /** The tool took longer than its timeout. */
    TIMED_OUT,
    /** The service behind it refused or failed (4xx/5xx, cut). */
    VENDOR_ERROR,
    /** The tool is not available for this call (not configured, or not possible on this channel). */
    UNAVAILABLE,
    /** The model asked for a tool this persona does not have. */
    UNKNOWN_TOOL
}
