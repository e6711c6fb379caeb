package selflengthen.activities.rows;

/**
 * A row of the length-control rewrite: the query that goes into the SFT set ({@code instruction}),
 * whether it is the model's rewrite (true) or the appended-sentence fallback (false), and the tries.
 */
public record LengthRewriteRow(
    long row, String instruction, String response, int words, String type, boolean rewritten, int tries) {}
