package selflengthen.workflows;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import selflengthen.v1.ShardSummary;
import selflengthen.v1.StageProgress;
import selflengthen.v1.StageResult;
import selflengthen.v1.StageState;

/**
 * Progress of a list of stages, as the status query shows it. Shard callbacks update it; every change
 * raises {@link #seq}, and changes of state (a stage begins, is planned, ends) also raise
 * {@link #urgentSeq}, which the progress pump sends without throttling.
 */
final class StageBoard {
  private final LongSupplier clock;
  private final Map<String, StageProgress.Builder> stages = new LinkedHashMap<>();
  private final Map<String, Long> startedAt = new HashMap<>();
  private final Map<String, Integer> needed = new HashMap<>();
  private final Map<String, Double> wordSum = new HashMap<>();
  private final Map<String, Long> wordCount = new HashMap<>();
  private String current = "";
  private long seq;
  private long urgentSeq;

  StageBoard(List<String> names, List<StageProgress> carried, long carriedSeq, LongSupplier clock) {
    this.clock = clock;
    for (String name : names) {
      stages.put(
          name,
          StageProgress.newBuilder().setName(name).setState(StageState.STAGE_STATE_PENDING).setEtaMs(-1));
    }
    for (StageProgress p : carried) {
      stages.put(p.getName(), p.toBuilder());
    }
    this.seq = carriedSeq;
    this.urgentSeq = carriedSeq;
  }

  String current() {
    return current;
  }

  long seq() {
    return seq;
  }

  long urgentSeq() {
    return urgentSeq;
  }

  void begin(String stage) {
    current = stage;
    startedAt.put(stage, clock.getAsLong());
    get(stage).setState(StageState.STAGE_STATE_RUNNING).setEtaMs(-1);
    changed(true);
  }

  /** {@code needed}: shards that must finish before the straggler cut ends the stage. */
  void planned(String stage, int total, int needed) {
    this.needed.put(stage, needed);
    get(stage).setShardsTotal(total);
    changed(true);
  }

  void shardStarted(String stage) {
    StageProgress.Builder b = get(stage);
    b.setShardsRunning(b.getShardsRunning() + 1);
    changed(false);
  }

  void shardFinished(String stage, ShardSummary summary) {
    StageProgress.Builder b = get(stage);
    b.setShardsRunning(Math.max(0, b.getShardsRunning() - 1));
    b.setShardsDone(b.getShardsDone() + 1);
    b.setSamples(b.getSamples() + summary.getSamplesOut());
    long n = summary.getLengths().getCount();
    if (n > 0) {
      double sum = wordSum.merge(stage, summary.getLengths().getMeanWords() * n, Double::sum);
      long count = wordCount.merge(stage, n, Long::sum);
      b.setMeanWords(sum / count);
    }
    changed(false);
  }

  void shardFailed(String stage) {
    StageProgress.Builder b = get(stage);
    b.setShardsRunning(Math.max(0, b.getShardsRunning() - 1));
    changed(false);
  }

  void shardsCancelled(String stage, int cancelled) {
    get(stage).setShardsRunning(0).setShardsCancelled(cancelled);
    changed(true);
  }

  void finish(String stage, StageResult result) {
    end(stage, result, StageState.STAGE_STATE_DONE);
  }

  /** Already complete in the store (resume). */
  void skip(String stage, StageResult result) {
    end(stage, result, StageState.STAGE_STATE_SKIPPED);
  }

  void fail(String stage) {
    StageProgress.Builder b = get(stage);
    b.setState(StageState.STAGE_STATE_FAILED).setShardsRunning(0).setEtaMs(-1);
    b.setElapsedMs(elapsed(stage));
    changed(true);
  }

  /** Whether {@code stage} is done or was skipped (complete in the store). */
  boolean ended(String stage) {
    StageProgress.Builder b = stages.get(stage);
    return b != null
        && (b.getState() == StageState.STAGE_STATE_DONE || b.getState() == StageState.STAGE_STATE_SKIPPED);
  }

  /** The stages with elapsed time and ETA of running ones as of now. */
  List<StageProgress> snapshot() {
    List<StageProgress> out = new ArrayList<>(stages.size());
    for (StageProgress.Builder b : stages.values()) {
      if (b.getState() == StageState.STAGE_STATE_RUNNING) {
        long elapsed = elapsed(b.getName());
        out.add(b.clone().setElapsedMs(elapsed).setEtaMs(eta(b, elapsed)).build());
      } else {
        out.add(b.build());
      }
    }
    return out;
  }

  /** Time per finished shard so far times the shards still needed; -1 before the first finishes. */
  private long eta(StageProgress.Builder b, long elapsed) {
    int done = b.getShardsDone();
    if (done == 0) {
      return -1;
    }
    int need = needed.getOrDefault(b.getName(), b.getShardsTotal());
    return Math.max(0, need - done) * elapsed / done;
  }

  private void end(String stage, StageResult result, StageState state) {
    StageProgress.Builder b = get(stage);
    b.setState(state)
        .setShardsRunning(0)
        .setShardsCancelled(result.getShardsCancelled())
        .setSamples(result.getSamplesOut())
        .setMeanWords(result.getLengths().getMeanWords())
        .setElapsedMs(result.getElapsedMs())
        .setEtaMs(0);
    changed(true);
  }

  private long elapsed(String stage) {
    Long start = startedAt.get(stage);
    return start == null ? 0 : clock.getAsLong() - start;
  }

  private StageProgress.Builder get(String stage) {
    return stages.computeIfAbsent(
        stage,
        n -> StageProgress.newBuilder().setName(n).setState(StageState.STAGE_STATE_PENDING).setEtaMs(-1));
  }

  private void changed(boolean urgent) {
    seq++;
    if (urgent) {
      urgentSeq = seq;
    }
  }
}
