package selflengthen.activities.rows;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * A successful extension attempt: attempt {@code attempt} (0-based) on kept response {@code row} of
 * the stage's input. {@code response} is the initial response, {@code extended} the best text of
 * the attempt ({@code words} words, more than min_growth times {@code initial_words}); {@code tries}
 * counts the tries of micro-iterations the attempt took.
 */
@JsonPropertyOrder({"row", "attempt", "instruction", "response", "extended", "initial_words", "words", "tries"})
public record ExtensionRow(
    long row,
    int attempt,
    String instruction,
    String response,
    String extended,
    @JsonProperty("initial_words") int initialWords,
    int words,
    int tries) {}
