package selflengthen.workflows;

import selflengthen.v1.RoundSettings;

/**
 * The knobs a running stage reads before each shard start: pause and the in-flight limit. Every
 * change bumps {@code version}, so a copy forwarded to a round child can be applied idempotently and
 * in order.
 */
final class FanOutSettings {
  static final int MIN_SHARDS = 1;
  static final int MAX_SHARDS = selflengthen.activities.Limits.MAX_SHARDS;

  private boolean paused;
  private int maxConcurrentShards;
  private long version;

  FanOutSettings(boolean paused, int maxConcurrentShards, long version) {
    this.paused = paused;
    this.maxConcurrentShards = maxConcurrentShards;
    this.version = version;
  }

  static FanOutSettings from(RoundSettings s) {
    return new FanOutSettings(s.getPaused(), s.getMaxConcurrentShards(), s.getVersion());
  }

  boolean paused() {
    return paused;
  }

  /** At least one shard may run, even before a resolved spec set the limit. */
  int limit() {
    return Math.max(MIN_SHARDS, maxConcurrentShards);
  }

  /**
   * Shards a stage keeps scheduled: the limit plus {@code queued} queued ahead of it, so a slot that
   * frees finds its next shard already in the task queue.
   */
  int inFlight(int queued) {
    return limit() + Math.max(0, queued);
  }

  long version() {
    return version;
  }

  void setPaused(boolean paused) {
    this.paused = paused;
    version++;
  }

  void setLimit(int maxConcurrentShards) {
    this.maxConcurrentShards = maxConcurrentShards;
    version++;
  }

  /** Takes the spec's value unless a limit was already set (carried state or an update). */
  void setLimitIfUnset(int maxConcurrentShards) {
    if (this.maxConcurrentShards <= 0) {
      this.maxConcurrentShards = maxConcurrentShards;
    }
  }

  /** Applies a forwarded copy when it is newer than what this side has; returns whether it was. */
  boolean apply(RoundSettings s) {
    if (s.getVersion() <= version) {
      return false;
    }
    paused = s.getPaused();
    maxConcurrentShards = s.getMaxConcurrentShards();
    version = s.getVersion();
    return true;
  }

  RoundSettings toMessage() {
    return RoundSettings.newBuilder()
        .setPaused(paused)
        .setMaxConcurrentShards(limit())
        .setVersion(version)
        .build();
  }

  static String checkLimit(long n) {
    if (n < MIN_SHARDS || n > MAX_SHARDS) {
      return "max_concurrent_shards must be between " + MIN_SHARDS + " and " + MAX_SHARDS + ", got " + n;
    }
    return null;
  }
}
