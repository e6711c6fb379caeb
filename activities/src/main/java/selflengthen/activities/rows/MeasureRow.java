package selflengthen.activities.rows;

/**
 * One answer to a held-out instruction, unchecked (the measurement is of length): {@code finish} is
 * "stop", "length" (the token budget ran out) or "error" (the engine refused the request).
 */
public record MeasureRow(long row, String instruction, String response, int words, String finish) {}
