package selflengthen.workflows;

import io.temporal.failure.ApplicationFailure;
import java.util.Locale;
import selflengthen.activities.Stages;
import selflengthen.v1.RunSpec;
import selflengthen.v1.StageResult;

/**
 * A stage of a round that produced nothing stops the run there, with the stage's name, its input
 * and output counts and the likely cause. Left to run, the later stages would work on empty input
 * and the run would fail stages later, naming a stage that did nothing wrong.
 */
final class EmptyStages {
  /** The failure type of a run stopped by a stage that produced nothing. */
  static final String TYPE = "EmptyStage";

  private EmptyStages() {}

  /** The failure for a stage whose output is empty, or null when it produced something. */
  static ApplicationFailure failure(int round, StageResult r, RunSpec spec) {
    // A stage with no input did not fail by itself: the stage before it produced nothing (and was
    // stopped here already) or had nothing planned (a synthetic benchmark round).
    if (r.getSamplesOut() > 0 || r.getSamplesIn() == 0) {
      return null;
    }
    String stage = r.getName();
    long in = r.getSamplesIn();
    String see = r.getOutput().getPath().isEmpty() ? "" : "; see " + r.getOutput().getPath();
    String what = switch (stage) {
      case Stages.SELF_INSTRUCT -> String.format(Locale.ROOT,
          "self_instruct made 0 of the %d instructions asked for in %d tries each: every candidate was"
              + " refused (by the LLM judge, the near-duplicate filter at %.2f or the word limits %d..%d of"
              + " self_instruct)",
          in, spec.getSelfInstruct().getMaxTries(), spec.getSelfInstruct().getNearDuplicateThreshold(), spec.getSelfInstruct().getMinWords(),
          spec.getSelfInstruct().getMaxWords());
      case Stages.RESPOND -> "respond made 0 answers for " + in + " instructions: every answer failed the"
          + " response check (closing punctuation, repeated n-grams) in " + spec.getInitialResponses().getMaxTries()
          + " tries";
      case Stages.DROP_SHORT, Stages.DROP_SHORT_EXTENDED -> stage + " kept 0 of " + in + " answers: every one"
          + " was shorter than its length goal (drop_short.factor " + spec.getDropShort().getFactor()
          + ", exponent " + spec.getDropShort().getExponent() + ")";
      case Stages.EXTEND -> "extend made 0 extended answers from " + in + ": no attempt grew the answer by"
          + " extension.min_growth " + spec.getExtension().getMinGrowth() + " and passed the response check";
      default -> stage + " produced nothing from " + in + " inputs";
    };
    return ApplicationFailure.newNonRetryableFailure("round " + round + ": " + what + see, TYPE);
  }
}
