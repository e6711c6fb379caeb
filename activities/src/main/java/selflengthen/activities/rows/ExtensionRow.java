package selflengthen.activities.rows;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * A successful extension attempt: attempt {@code attempt} (0-based) on kept response {@code row} of
 * the stage's input. {@code response} is the initial response, {@code extended} the best text of
 * the attempt ({@code words} words, more than min_growth times {@code initial_words}); {@code tries}
 * counts the tries of micro-iterations the attempt took. {@code steps} (accepted micro-iteration
 * results the final one replaced) and {@code check_rejected} (candidates the response check
 * refused) are written only when the preference pairs ask for them
 * ({@code preference.pairs.rejected}); otherwise the row is as it always was.
 */
@JsonPropertyOrder({"row", "attempt", "instruction", "response", "extended", "initial_words", "words", "tries",
    "steps", "check_rejected"})
public record ExtensionRow(
    long row,
    int attempt,
    String instruction,
    String response,
    String extended,
    @JsonProperty("initial_words") int initialWords,
    int words,
    int tries,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> steps,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) @JsonProperty("check_rejected") List<String> checkRejected) {

  public ExtensionRow {
    steps = steps == null ? List.of() : List.copyOf(steps);
    checkRejected = checkRejected == null ? List.of() : List.copyOf(checkRejected);
  }

  /** A row without the attempt's intermediate texts. */
  public ExtensionRow(long row, int attempt, String instruction, String response, String extended,
      int initialWords, int words, int tries) {
    this(row, attempt, instruction, response, extended, initialWords, words, tries, List.of(), List.of());
  }
}
