package selflengthen.model.train;

/**
 * Learning rate per optimizer step, as transformers' schedulers compute it (step counted from 0,
 * warm-up of ceil(ratio * total) steps rising linearly from 0).
 */
public record LrSchedule(String kind, double base, long totalSteps, long warmupSteps) {

  public LrSchedule {
    kind = kind == null || kind.isBlank() ? "cosine" : kind;
    if (!kind.equals("cosine") && !kind.equals("linear") && !kind.equals("constant")
        && !kind.equals("constant_with_warmup")) {
      throw new IllegalArgumentException("unsupported lr scheduler '" + kind
          + "' (cosine, linear, constant, constant_with_warmup)");
    }
  }

  public static LrSchedule of(String kind, double base, long totalSteps, double warmupRatio) {
    long warmup = (long) Math.ceil(totalSteps * warmupRatio);
    return new LrSchedule(kind, base, totalSteps, kind.equals("constant") ? 0 : warmup);
  }

  public double at(long step) {
    if (step < warmupSteps) {
      return base * step / Math.max(1, warmupSteps);
    }
    double progress = (double) (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
    return switch (kind) {
      case "cosine" -> base * Math.max(0, 0.5 * (1 + Math.cos(Math.PI * progress)));
      case "linear" -> base * Math.max(0, (double) (totalSteps - step)
          / Math.max(1, totalSteps - warmupSteps));
      default -> base;
    };
  }
}
