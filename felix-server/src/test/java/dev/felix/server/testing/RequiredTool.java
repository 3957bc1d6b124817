package dev.felix.server.testing;

import org.junit.jupiter.api.Assumptions;

/** A test needing a tool fails on CI when the tool is missing, and is skipped elsewhere. */
public final class RequiredTool {
    private RequiredTool() {
    }

    public static void require(boolean present, String tool) {
        if (!present) {
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError(tool + " is required on CI");
            }
            Assumptions.abort(tool + " is missing");
        }
    }
}
