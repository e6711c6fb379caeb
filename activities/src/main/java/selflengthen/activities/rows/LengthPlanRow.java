package selflengthen.activities.rows;

import java.util.List;

/**
 * A row of length control's plan (runs/<run>/length_control/plan.jsonl): a long.jsonl row kept by
 * the length window, its drawn constraint, the limit phrase in the row's language (with Chinese
 * numerals when drawn) and the fallback query (the limit appended as a sentence).
 */
public record LengthPlanRow(
    long row,
    String query,
    String response,
    int words,
    String type,
    String language,
    String limit,
    List<String> numbers,
    String fallback) {}
