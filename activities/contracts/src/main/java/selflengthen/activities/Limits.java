package selflengthen.activities;

/**
 * Bounds that the workflows enforce and the spec validator checks alike. They live with the
 * activity contracts so that workflows read them without depending on the spec's rules.
 */
public final class Limits {
  /** Most shards of a stage in flight at once (the workflow's own bound, as set-parallelism's). */
  public static final int MAX_SHARDS = 1024;

  private Limits() {}
}
