/**
 * Tools the agent can use during a call: the contract between the call loop and each tool ({@link Tool},
 * {@link ToolOutcome}), how a persona declares them ({@link ToolKit} builds a persona's {@link ToolSet} from its
 * {@code tools:} list; {@link BuiltinTool} names the built-ins, which {@link BuiltinTools} makes), and their
 * implementations (webhook tools, {@link WebhookTool}; {@code end_call}, {@link EndCallTool}; the other built-ins in
 * {@code tools.builtin}).
 */
package dev.voiceagent.tools;
