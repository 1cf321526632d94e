# Sourced by run.sh and aot-train.sh: what a load run and a training run of the server have in common.

# Writes the load persona to "$1": short phrases, and no reprompt while callers hold the line for the heap sample.
write_load_persona() {
  cat > "$1" <<YAML
default: load
personas:
  - id: load
    numbers: ["+15550100001"]
    voice: { id: voice-load, model: eleven_flash_v2_5, fallback: asteria }
    llm: { model: "@cf/meta/llama-3.3-70b-instruct-fp8-fast", maxTokens: 200 }
    greeting: "Hello, thanks for calling. How can I help?"
    reprompt: "Are you still there?"
    goodbye: "Goodbye now."
    apology: "Sorry, could you say that again?"
    prompt: "You are a load-test agent."
    # STT (default: the whisper path the figures in loadtest/README.md were measured on; live: @cf/deepgram/nova-3)
    stt: { model: "${LOAD_STT_MODEL:-@cf/openai/whisper-large-v3-turbo}" }
    turnTaking: { endOfTurnMs: 600, repromptAfterSeconds: 120, maxCallMinutes: 30 }
    # TRANSPORT=conversation-relay: Twilio listens and speaks; the simulator sends text prompts (SimulatedRelayCall)
    transport: ${TRANSPORT:-media-stream}
YAML
}

# Exports the NAME=value lines FakeVendorsMain printed to "$1" (the server's vendor URLs and test credentials).
export_fakes_env() {
  local name value
  while IFS='=' read -r name value; do
    case "$name" in [A-Z]*_*) export "$name=$value" ;; esac
  done < <(grep -E '^[A-Z_]+=' "$1")
}

# Waits up to $1 seconds for the command after $2 to succeed, giving up early once process $2 has exited
# (a process that failed at start is reported at once, not after the whole wait).
wait_ready() {
  local seconds=$1 pid=$2
  shift 2
  for _ in $(seq $((seconds * 10))); do
    if "$@"; then return 0; fi
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}
