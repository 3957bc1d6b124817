package dev.felix.server.logging;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import com.fasterxml.jackson.databind.JsonNode;
import dev.felix.protocol.Wire;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class LogsTest {

    @Test
    void jsonFormatWritesOneEscapedObjectPerLine() throws Exception {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        OutputStreamAppender<ILoggingEvent> appender = new OutputStreamAppender<>();
        appender.setContext(context);
        PatternLayoutEncoder text = new PatternLayoutEncoder();
        text.setContext(context);
        text.setPattern("%msg%n");
        text.start();
        appender.setEncoder(text);
        appender.setOutputStream(bytes);
        appender.start();
        Logs.useJson(appender);

        Logger logger = context.getLogger("felix.logs.test");
        logger.setAdditive(false);
        logger.addAppender(appender);
        try {
            logger.info("quote \" backslash \\ newline \n tab \t and {}", "an argument");
            logger.warn("failed", new IllegalStateException("boom"));
        } finally {
            logger.detachAppender(appender);
            appender.stop();
        }

        String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");
        assertThat(lines).hasSize(2);
        JsonNode first = Wire.mapper().readTree(lines[0]);
        assertThat(first.path("level").asText()).isEqualTo("INFO");
        assertThat(first.path("loggerName").asText()).isEqualTo("felix.logs.test");
        assertThat(first.path("formattedMessage").asText())
                .isEqualTo("quote \" backslash \\ newline \n tab \t and an argument");
        assertThat(first.path("timestamp").asLong()).isPositive();
        assertThat(first.path("threadName").asText()).isEqualTo(Thread.currentThread().getName());
        JsonNode second = Wire.mapper().readTree(lines[1]);
        assertThat(second.path("level").asText()).isEqualTo("WARN");
        assertThat(second.path("throwable").path("className").asText()).isEqualTo("java.lang.IllegalStateException");
        assertThat(second.path("throwable").path("message").asText()).isEqualTo("boom");
    }
}
