package dev.felix.client.internal;

import java.net.URI;
import java.time.Duration;

/** What {@link dev.felix.client.FelixClient.Builder} collected, checked. */
public record ClientSettings(URI url, String token, String userAgent, Duration heartbeatInterval,
                             Duration minBackoff, Duration maxBackoff, Duration connectTimeout, Duration silenceTimeout) {
}
