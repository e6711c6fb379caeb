package selflengthen.model.api;

/**
 * One preference pair in Alpaca form: the user turn is built from instruction and input as for
 * {@link SftExample}; {@code chosen} is the response preferred over {@code rejected} for it.
 */
public record PreferenceExample(String instruction, String input, String chosen, String rejected) {
  public PreferenceExample {
    if (instruction == null || chosen == null || rejected == null) {
      throw new IllegalArgumentException("a preference pair needs instruction, chosen and rejected");
    }
    input = input == null ? "" : input;
  }
}
