package selflengthen.method.preference;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.Objects;

/**
 * One preference pair with its lineage: {@code chosen} is preferred over {@code rejected} for
 * {@code prompt} (the user turn). {@code rejectedPrompt}, null for most kinds, is the user turn of
 * the rejected side when it differs ({@link PairKind#CORRUPTED_INSTRUCTION}). {@code row} and
 * {@code attempt} name the extension row (of the round's extension stage) the pair was made from;
 * the word counts are the profile's.
 */
@JsonPropertyOrder({"kind", "row", "attempt", "prompt", "rejected_prompt", "chosen", "rejected",
    "chosen_words", "rejected_words"})
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PreferencePair(
    String kind,
    long row,
    int attempt,
    String prompt,
    @JsonProperty("rejected_prompt") String rejectedPrompt,
    String chosen,
    String rejected,
    @JsonProperty("chosen_words") int chosenWords,
    @JsonProperty("rejected_words") int rejectedWords) {

  public PreferencePair {
    PairKind.byLabel(Objects.requireNonNull(kind, "kind"));
    Objects.requireNonNull(prompt, "prompt");
    Objects.requireNonNull(chosen, "chosen");
    Objects.requireNonNull(rejected, "rejected");
  }

  @JsonIgnore
  public PairKind pairKind() {
    return PairKind.byLabel(kind);
  }

  /** Whether the rejected side has a user turn of its own. */
  @JsonIgnore
  public boolean promptDiffers() {
    return rejectedPrompt != null && !rejectedPrompt.equals(prompt);
  }
}
