package dev.voiceagent.vendor;

import java.net.URI;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where and as whom to call Cloudflare Workers AI:
 * {@code POST {apiBase}/accounts/{accountId}/ai/run/{model}} with {@code Authorization: Bearer {apiToken}}
 * (https://developers.cloudflare.com/workers-ai/get-started/rest-api/).
 *
 * @param apiBase   normally {@link #DEFAULT_API_BASE}; a trailing slash is dropped
 * @param accountId the Cloudflare account id
 * @param apiToken  an API token with Workers AI read and edit permission; blank when not configured
 */
public record CloudflareAccount(URI apiBase, String accountId, String apiToken) {

    /** The public REST API root. */
    public static final URI DEFAULT_API_BASE = URI.create("https://api.cloudflare.com/client/v4");

    /** Model ids are like {@code @cf/openai/whisper}; anything else could escape the run path. */
    private static final Pattern MODEL_ID = Pattern.compile("@?[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*");

    public CloudflareAccount {
        Objects.requireNonNull(apiBase, "apiBase");
        accountId = Objects.requireNonNull(accountId, "accountId").strip();
        apiToken = apiToken == null ? "" : apiToken.strip();
        String base = apiBase.toString();
        if (base.endsWith("/")) {
            apiBase = URI.create(base.substring(0, base.length() - 1));
        }
    }

    /** {@code /accounts/{accountId}/ai/run/{model}}; the model id goes in literally, {@code @} and {@code /} included. */
    public String runPath(String model) {
        if (model == null || !MODEL_ID.matcher(model).matches() || model.contains("..")) {
            throw new IllegalArgumentException("not a Workers AI model id: " + model);
        }
        return "/accounts/" + accountId + "/ai/run/" + model;
    }

    /** The absolute URI of {@link #runPath(String)}. */
    public URI runUri(String model) {
        return URI.create(apiBase + runPath(model));
    }

    /** Whether a token and account are set; clients refuse to call without them. */
    public boolean configured() {
        return !apiToken.isEmpty() && !accountId.isEmpty();
    }

    @Override
    public String toString() {
        return "CloudflareAccount[apiBase=" + apiBase + ", accountId=" + accountId
                + ", apiToken=" + (apiToken.isEmpty() ? "<none>" : "<redacted>") + "]";
    }
}
