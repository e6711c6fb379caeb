package selflengthen.eval;

/**
 * LongWriter's required-length buckets for LongBench-Write. The paper writes the last one [4000,
 * 20000); the published data holds a 20000-word prompt, so it is closed here.
 */
public enum LengthBucket {
  UNDER_500("[0,500)", 0, 500),
  UNDER_2000("[500,2000)", 500, 2000),
  UNDER_4000("[2000,4000)", 2000, 4000),
  UP_TO_20000("[4000,20000]", 4000, 20000),
  OVER_20000("(20000,inf)", 20000, Double.POSITIVE_INFINITY);

  private final String label;
  private final double from;
  private final double to;

  LengthBucket(String label, double from, double to) {
    this.label = label;
    this.from = from;
    this.to = to;
  }

  public String label() {
    return label;
  }

  public static LengthBucket of(double required) {
    for (LengthBucket bucket : values()) {
      boolean closedTop = bucket == UP_TO_20000;
      if (required >= bucket.from && (required < bucket.to || (closedTop && required == bucket.to))) {
        return bucket;
      }
    }
    return OVER_20000;
  }

  public static LengthBucket fromLabel(String label) {
    for (LengthBucket bucket : values()) {
      if (bucket.label.equals(label)) {
        return bucket;
      }
    }
    throw new IllegalArgumentException("no length bucket " + label);
  }
}
