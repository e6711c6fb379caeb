package selflengthen.activities.rows;

/**
 * An initial response: answer {@code sample} (0-based) to instruction {@code row} of the stage's
 * input, which passed the response check after {@code tries} samples.
 */
public record ResponseRow(
    long row, int sample, String instruction, String response, int words, int tries) {}
