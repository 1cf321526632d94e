/**
 * What every HTTP request meets before any work is done for it: bounded request bodies and the rule for
 * which requests count as coming from this machine. Stateless and shared by every route.
 */
package dev.voiceagent.edge;
