package dev.felix.client.internal;

import java.net.URI;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * What {@link dev.felix.client.FelixClient.Builder} collected, checked.
 *
 * @param token      asked for a token before every connection attempt
 * @param fixedToken whether {@code token} always gives the same token, so that a refusal is final
 */
public record ClientSettings(URI url, Supplier<String> token, boolean fixedToken, String userAgent, Duration heartbeatInterval,
                             Duration minBackoff, Duration maxBackoff, Duration connectTimeout, Duration silenceTimeout) {
}
