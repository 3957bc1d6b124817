package dev.felix.server.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Iterator;

/**
 * Applies the log options at startup, on top of {@code logback.xml}: the root level and, for
 * {@link LogFormat#JSON}, Logback's own JSON encoder in place of the text pattern.
 */
public final class Logs {
    private Logs() {
    }

    public static void apply(LogFormat format, LogLevel level) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return;
        }
        ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.toLevel(level.name()));
        if (format != LogFormat.JSON) {
            return;
        }
        for (Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext(); ) {
            if (it.next() instanceof OutputStreamAppender<ILoggingEvent> appender) {
                useJson(appender);
            }
        }
    }

    /**
     * Switches an appender to JSON lines: timestamp (ms epoch), level, thread, logger, the formatted
     * message, MDC and key-value pairs, and the throwable with its stack, all escaped by Logback.
     */
    static void useJson(OutputStreamAppender<ILoggingEvent> appender) {
        JsonEncoder encoder = new JsonEncoder();
        encoder.setContext(appender.getContext());
        encoder.setWithSequenceNumber(false);
        encoder.setWithNanoseconds(false);
        encoder.setWithContext(false);
        encoder.setWithMessage(false);
        encoder.setWithArguments(false);
        encoder.setWithFormattedMessage(true);
        encoder.start();
        // Swapped while running: stopping would close the stream the appender was configured with.
        appender.setEncoder(encoder);
    }
}
