package dev.felix.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.felix.protocol.Wire;
import org.HdrHistogram.Histogram;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.DataFormatException;

/**
 * What one load-generating process measured: counters, latency histograms (microseconds) and
 * the length of its measurement window. Results of several processes merge into one.
 */
final class Result {
    /** Latencies up to one minute, three significant digits. */
    static final long MAX_MICROS = 60_000_000L;

    final Map<String, Long> counts = new LinkedHashMap<>();
    final Map<String, Histogram> histograms = new LinkedHashMap<>();
    final List<String> notes = new ArrayList<>();
    double seconds;
    /** The length of the warm-up, for scenarios that time it. */
    double warmupSeconds;

    static Histogram histogram() {
        return new Histogram(MAX_MICROS, 3);
    }

    void add(String name, long value) {
        counts.merge(name, value, Long::sum);
    }

    long count(String name) {
        return counts.getOrDefault(name, 0L);
    }

    Histogram histogram(String name) {
        return histograms.computeIfAbsent(name, k -> histogram());
    }

    void note(String note) {
        if (!notes.contains(note)) {
            notes.add(note);
        }
    }

    /** Counters add up, histograms merge, the windows are the longest of the two. */
    void merge(Result other) {
        other.counts.forEach(this::add);
        other.histograms.forEach((name, h) -> histogram(name).add(h));
        other.notes.forEach(this::note);
        seconds = Math.max(seconds, other.seconds);
        warmupSeconds = Math.max(warmupSeconds, other.warmupSeconds);
    }

    String toJson() {
        ObjectNode root = Wire.mapper().createObjectNode();
        root.put("seconds", seconds);
        root.put("warmupSeconds", warmupSeconds);
        ObjectNode c = root.putObject("counts");
        counts.forEach(c::put);
        ObjectNode h = root.putObject("histograms");
        histograms.forEach((name, histogram) -> {
            ByteBuffer buffer = ByteBuffer.allocate(histogram.getNeededByteBufferCapacity());
            int length = histogram.encodeIntoCompressedByteBuffer(buffer);
            h.put(name, Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(buffer.array(), length)));
        });
        notes.forEach(root.putArray("notes")::add);
        return root.toString();
    }

    static Result fromJson(String json) {
        try {
            JsonNode root = Wire.mapper().readTree(json);
            Result r = new Result();
            r.seconds = root.path("seconds").asDouble();
            r.warmupSeconds = root.path("warmupSeconds").asDouble();
            for (Iterator<Map.Entry<String, JsonNode>> it = root.path("counts").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                r.counts.put(e.getKey(), e.getValue().asLong());
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = root.path("histograms").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                ByteBuffer bytes = ByteBuffer.wrap(Base64.getDecoder().decode(e.getValue().asText()));
                r.histograms.put(e.getKey(), Histogram.decodeFromCompressedByteBuffer(bytes, 0));
            }
            root.path("notes").forEach(n -> r.notes.add(n.asText()));
            return r;
        } catch (java.io.IOException | DataFormatException e) {
            throw new IllegalStateException("unreadable result from a driver process: " + e.getMessage(), e);
        }
    }
}
