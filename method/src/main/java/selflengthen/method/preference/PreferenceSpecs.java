package selflengthen.method.preference;

import selflengthen.v1.DpoWhen;
import selflengthen.v1.GenerationMode;
import selflengthen.v1.PreferenceMethod;
import selflengthen.v1.RejectedSource;
import selflengthen.v1.RunSpec;

/**
 * What a resolved spec asks of the preference stage and the generation mode, read in one place by
 * the workflow (pure and deterministic) and the activities.
 */
public final class PreferenceSpecs {
  private PreferenceSpecs() {}

  public static boolean dpo(RunSpec spec) {
    return spec.getTraining().getPreference() == PreferenceMethod.PREFERENCE_METHOD_DPO;
  }

  /** Whether the round writes its preference sets: a preference stage needs them, or asked for. */
  public static boolean writesPairs(RunSpec spec) {
    return dpo(spec) || spec.getPreference().getPairs().getWrite();
  }

  /** Whether a DPO step follows the Generator's SFT of round {@code round} (1-based). */
  public static boolean dpoAfterRound(RunSpec spec, int round) {
    if (!dpo(spec)) {
      return false;
    }
    return spec.getTraining().getDpo().getWhen() != DpoWhen.DPO_WHEN_LAST_ROUND
        || round == spec.getRounds();
  }

  /** Whether the extension rows must keep the texts on the way (other rejected sides). */
  public static boolean needsTrace(RunSpec spec) {
    if (!writesPairs(spec)) {
      return false;
    }
    RejectedSource r = spec.getPreference().getPairs().getRejected();
    return r == RejectedSource.REJECTED_SOURCE_CHECK_REJECTED
        || r == RejectedSource.REJECTED_SOURCE_SHORTER_STEP;
  }

  public static boolean agentWrite(RunSpec spec) {
    return spec.getGeneration().getMode() == GenerationMode.GENERATION_MODE_AGENTWRITE;
  }

  /** The pair kinds a round makes. */
  public static PreferenceOptions options(RunSpec spec) {
    var pairs = spec.getPreference().getPairs();
    RejectedSource r = pairs.getRejected();
    return new PreferenceOptions(
        r == RejectedSource.REJECTED_SOURCE_CHECK_REJECTED,
        r == RejectedSource.REJECTED_SOURCE_SHORTER_STEP,
        pairs.getSuriPairs(),
        Math.max(1, pairs.getMaxPerKind()));
  }
}
