package dev.felix.bench;

import org.HdrHistogram.Histogram;

import java.util.List;

/**
 * One reported number.
 *
 * @param name           what it measures, e.g. {@code heartbeat.ack_p99}
 * @param value          the number, in {@code unit}
 * @param unit           e.g. {@code ms}, {@code /s}
 * @param higherIsBetter how the comparison table reads the ratio
 */
record Metric(String name, double value, String unit, boolean higherIsBetter) {

    static Metric rate(String name, double value) {
        return new Metric(name, value, "/s", true);
    }

    static Metric count(String name, double value) {
        return new Metric(name, value, "", true);
    }

    static Metric cost(String name, double value, String unit) {
        return new Metric(name, value, unit, false);
    }

    /** p50, p99 and p99.9 of a microsecond histogram, in milliseconds; nothing when it is empty. */
    static List<Metric> percentiles(String name, Histogram h) {
        if (h == null || h.getTotalCount() == 0) {
            return List.of();
        }
        return List.of(
                cost(name + "_p50", h.getValueAtPercentile(50) / 1000.0, "ms"),
                cost(name + "_p99", h.getValueAtPercentile(99) / 1000.0, "ms"),
                cost(name + "_p999", h.getValueAtPercentile(99.9) / 1000.0, "ms"));
    }

    String formatted() {
        return format(value) + (unit.isEmpty() ? "" : " " + unit);
    }

    static String format(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return String.format("%,d", (long) v);
        }
        if (Math.abs(v) >= 100) {
            return String.format("%,.0f", v);
        }
        if (Math.abs(v) >= 10) {
            return String.format("%.1f", v);
        }
        return String.format("%.2f", v);
    }
}
