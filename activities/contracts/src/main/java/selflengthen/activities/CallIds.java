package selflengthen.activities;

/**
 * Logical ids of the run's parts. The run workflow id is the run id; round k is the child workflow
 * {@code <run_id>/round-<k>}; a stage call is {@code <run_id>/round-<k>/<stage>} and a shard
 * {@code <run_id>/round-<k>/<stage>/shard-<i>} (round 0 = run-level work such as the seed model's
 * measurement). The same string is every {@code StageContext.call_id} and the summary of the activity.
 */
public final class CallIds {
  private CallIds() {}

  public static String round(String runId, int round) {
    return runId + "/round-" + round;
  }

  public static String stage(String runId, int round, String stage) {
    return round(runId, round) + "/" + stage;
  }

  public static String shard(String runId, int round, String stage, int index) {
    return stage(runId, round, stage) + "/shard-" + index;
  }
}
