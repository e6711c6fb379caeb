package selflengthen.model.api;

/**
 * One preference pair in Alpaca form: the user turn is built from instruction and input as for
 * {@link SftExample}; {@code chosen} is the response preferred over {@code rejected} for it.
 *
 * <p>{@code rejectedInstruction}, when not null, is the user turn of the rejected side instead
 * (with no input): a pair that prefers one response under its own instruction over the same or
 * another response under a different (corrupted) instruction, as in Suri's I-ORPO. Only the
 * in-process trainer takes such pairs; LLaMA-Factory's ranking format has one prompt per pair.
 */
public record PreferenceExample(String instruction, String input, String chosen, String rejected,
    String rejectedInstruction) {
  public PreferenceExample {
    if (instruction == null || chosen == null || rejected == null) {
      throw new IllegalArgumentException("a preference pair needs instruction, chosen and rejected");
    }
    input = input == null ? "" : input;
  }

  /** A pair with one prompt for both sides. */
  public PreferenceExample(String instruction, String input, String chosen, String rejected) {
    this(instruction, input, chosen, rejected, null);
  }

  /** Whether the rejected side has its own instruction. */
  public boolean promptDiffers() {
    return rejectedInstruction != null;
  }
}
