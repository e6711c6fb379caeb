package selflengthen.workers.cli;

import java.util.List;

/**
 * The DPO options of `demo` and `bench preference`, checked before anything runs: a bad learning
 * rate would otherwise surface minutes later inside a training step, and a rate given where no
 * DPO runs would be silently ignored.
 */
final class DpoOptionChecks {
  private DpoOptionChecks() {}

  static void learningRates(List<Float> rates) {
    for (Float lr : rates) {
      if (lr == null || !(lr > 0) || lr.isInfinite()) {
        throw new CliException("--dpo-learning-rate must be greater than 0 (got " + lr + ")");
      }
    }
  }

  static void epochs(Float epochs) {
    if (epochs != null && (!(epochs > 0) || epochs.isInfinite())) {
      throw new CliException("--dpo-epochs must be greater than 0 (got " + epochs + ")");
    }
  }

  /** `demo`: a learning rate only means something with --dpo or --preference-bench. */
  static void demo(List<Float> rates, boolean dpo, boolean preferenceBench) {
    learningRates(rates);
    if (!rates.isEmpty() && !dpo && !preferenceBench) {
      throw new CliException("--dpo-learning-rate needs --dpo (the run's DPO step) or --preference-bench");
    }
  }
}
