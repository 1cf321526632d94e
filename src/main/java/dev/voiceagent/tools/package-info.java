/**
 * Tools the agent can use during a call: the contract between the call loop and each tool ({@link Tool},
 * {@link ToolOutcome}), how a persona declares them ({@link ToolDeclaration}, {@link BuiltinTool}), and their
 * implementations (webhook tools, and the built-ins in {@code tools.builtin}).
 */
package dev.voiceagent.tools;
