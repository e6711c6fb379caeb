package selflengthen.method.preference;

/**
 * Which pairs an extension attempt gives. The pair of the accepted extended response over the
 * response it started from is always made; the others are options, off by default:
 *
 * <ul>
 *   <li>{@code checkRejected}: the accepted response over each candidate the response check refused
 *       (at most {@code maxPerKind} of them, the longest first: the harder negatives);
 *   <li>{@code shorterSteps}: the accepted response over each shorter accepted micro-iteration
 *       result (at most {@code maxPerKind}, the longest first);
 *   <li>{@code corruptedInstruction}: Suri-style, the accepted response under its own instruction
 *       over the same response under a corrupted instruction ({@link InstructionCorruption}).
 * </ul>
 */
public record PreferenceOptions(boolean checkRejected, boolean shorterSteps,
    boolean corruptedInstruction, int maxPerKind) {

  public PreferenceOptions {
    if (maxPerKind < 1) {
      throw new IllegalArgumentException("maxPerKind must be at least 1, got " + maxPerKind);
    }
  }

  /** Only the extension pair (accepted over original). */
  public static PreferenceOptions defaults() {
    return new PreferenceOptions(false, false, false, 2);
  }

  public PreferenceOptions withCheckRejected(boolean on) {
    return new PreferenceOptions(on, shorterSteps, corruptedInstruction, maxPerKind);
  }

  public PreferenceOptions withShorterSteps(boolean on) {
    return new PreferenceOptions(checkRejected, on, corruptedInstruction, maxPerKind);
  }

  public PreferenceOptions withCorruptedInstruction(boolean on) {
    return new PreferenceOptions(checkRejected, shorterSteps, on, maxPerKind);
  }
}
