package selflengthen.method.preference;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import selflengthen.method.LanguageProfile;
import selflengthen.model.api.PreferenceExample;

/**
 * Preference pairs from the Extender's own work (pure functions). From each successful extension
 * attempt: the accepted extended response is chosen over the response it started from; as
 * options ({@link PreferenceOptions}) also over candidates the response check refused, over
 * shorter micro-iteration results, and, Suri-style, under its own instruction over a corrupted
 * instruction.
 */
public final class PreferencePairs {
  private PreferencePairs() {}

  /** The pairs of one attempt, in the order: extension, check-rejected, shorter steps. */
  public static List<PreferencePair> fromExtension(ExtensionTrace t, PreferenceOptions options,
      LanguageProfile profile) {
    List<PreferencePair> out = new ArrayList<>();
    int acceptedWords = profile.countWords(t.accepted());
    int originalWords = profile.countWords(t.original());
    if (acceptedWords > originalWords && !t.accepted().equals(t.original())) {
      out.add(pair(PairKind.EXTENSION, t, t.original(), acceptedWords, originalWords));
    }
    if (options.checkRejected()) {
      for (String c : longestFirst(t.checkRejected(), t, profile, Integer.MAX_VALUE,
          options.maxPerKind())) {
        out.add(pair(PairKind.CHECK_REJECTED, t, c, acceptedWords, profile.countWords(c)));
      }
    }
    if (options.shorterSteps()) {
      for (String s : longestFirst(t.steps(), t, profile, acceptedWords, options.maxPerKind())) {
        out.add(pair(PairKind.SHORTER_STEP, t, s, acceptedWords, profile.countWords(s)));
      }
    }
    return out;
  }

  /**
   * The Suri-style pair of an attempt: its accepted response under its own instruction over the
   * same response under {@code corruptedInstruction}; empty when the two instructions are equal.
   */
  public static Optional<PreferencePair> corrupted(ExtensionTrace t, String corruptedInstruction,
      LanguageProfile profile) {
    if (corruptedInstruction == null || corruptedInstruction.isBlank()
        || corruptedInstruction.equals(t.instruction())) {
      return Optional.empty();
    }
    int words = profile.countWords(t.accepted());
    return Optional.of(new PreferencePair(PairKind.CORRUPTED_INSTRUCTION.label(), t.row(),
        t.attempt(), t.instruction(), corruptedInstruction, t.accepted(), t.accepted(), words,
        words));
  }

  /**
   * The pairs of a round's attempts: each attempt's {@link #fromExtension} pairs, then, with
   * {@code corruptedInstruction} on, its {@link #corrupted} pair with {@link
   * InstructionCorruption#corrupt} over the round's instructions (seeded: the same inputs give
   * the same pairs).
   */
  public static List<PreferencePair> fromExtensions(List<ExtensionTrace> traces,
      PreferenceOptions options, LanguageProfile profile, long seed) {
    List<String> instructions = traces.stream().map(ExtensionTrace::instruction).toList();
    SplittableRandom random = new SplittableRandom(seed);
    List<PreferencePair> out = new ArrayList<>();
    for (int i = 0; i < traces.size(); i++) {
      ExtensionTrace t = traces.get(i);
      out.addAll(fromExtension(t, options, profile));
      if (options.corruptedInstruction()) {
        InstructionCorruption.corrupt(instructions, i, random)
            .flatMap(c -> corrupted(t, c, profile))
            .ifPresent(out::add);
      }
    }
    return out;
  }

  /** The pairs as the engine's DPO trainer takes them. */
  public static List<PreferenceExample> toExamples(List<PreferencePair> pairs) {
    return pairs.stream()
        .map(p -> new PreferenceExample(p.prompt(), "", p.chosen(), p.rejected(),
            p.promptDiffers() ? p.rejectedPrompt() : null))
        .toList();
  }

  private static PreferencePair pair(PairKind kind, ExtensionTrace t, String rejected,
      int chosenWords, int rejectedWords) {
    return new PreferencePair(kind.label(), t.row(), t.attempt(), t.instruction(), null,
        t.accepted(), rejected, chosenWords, rejectedWords);
  }

  /**
   * Distinct non-blank texts other than the accepted and the original response, with fewer than
   * {@code belowWords} words, longest first (ties keep their order), at most {@code max}.
   */
  private static List<String> longestFirst(List<String> texts, ExtensionTrace t,
      LanguageProfile profile, int belowWords, int max) {
    List<String> kept = new ArrayList<>();
    for (String s : new LinkedHashSet<>(texts)) {
      if (!s.isBlank() && !s.equals(t.accepted()) && !s.equals(t.original())
          && profile.countWords(s) < belowWords) {
        kept.add(s);
      }
    }
    kept.sort(Comparator.comparingInt((String s) -> profile.countWords(s)).reversed());
    return kept.subList(0, Math.min(max, kept.size()));
  }
}
