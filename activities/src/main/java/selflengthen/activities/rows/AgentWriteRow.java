package selflengthen.activities.rows;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * An AgentWrite answer to instruction {@code row} (sample {@code sample}): the fields of a {@link
 * ResponseRow} (so the stages after it read it as an initial response; {@code tries} counts the
 * model calls), the plan's paragraphs and word budget, whether every planned paragraph was
 * written, and the store directory holding the plan and the paragraphs.
 */
@JsonPropertyOrder({"row", "sample", "instruction", "response", "words", "tries", "paragraphs",
    "planned_words", "complete", "dir"})
public record AgentWriteRow(
    long row,
    int sample,
    String instruction,
    String response,
    int words,
    int tries,
    int paragraphs,
    @JsonProperty("planned_words") int plannedWords,
    boolean complete,
    String dir) {}
