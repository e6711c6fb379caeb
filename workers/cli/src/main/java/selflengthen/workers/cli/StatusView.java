package selflengthen.workers.cli;

import java.util.Locale;
import selflengthen.eval.EvalReport;
import selflengthen.v1.LengthStats;
import selflengthen.v1.RoundResult;
import selflengthen.v1.RunStatus;
import selflengthen.v1.StageProgress;
import selflengthen.v1.StageState;

/** Renders a run's status as text: one line per stage with a progress bar of its shards. */
final class StatusView {
  static final int BAR = 24;

  private StatusView() {}

  static String render(RunStatus s, long nowMs) {
    StringBuilder out = new StringBuilder();
    out.append("run ").append(s.getRunId())
        .append("  phase ").append(s.getPhase().isEmpty() ? "-" : s.getPhase())
        .append("  round ").append(s.getRound()).append('/').append(s.getRoundsTotal());
    if (!s.getStage().isEmpty()) {
      out.append("  stage ").append(s.getStage());
    }
    out.append("  parallelism ").append(s.getMaxConcurrentShards());
    if (s.getPaused()) {
      out.append("  PAUSED");
    }
    out.append('\n');
    if (s.getStagesCount() > 0) {
      // At least as wide as the longest stage name (drop_short_extended), so every column lines up.
      int name = Math.max(16,
          s.getStagesList().stream().mapToInt(p -> p.getName().length()).max().orElse(0));
      out.append(String.format(Locale.ROOT, "  %-" + name + "s %-8s %-" + (BAR + 2) + "s %9s %8s %10s %10s %9s %9s%n",
          "stage", "state", "shards", "done", "running", "samples", "mean words", "elapsed", "eta"));
      for (StageProgress p : s.getStagesList()) {
        out.append(String.format(Locale.ROOT, "  %-" + name + "s %-8s %s %9s %8d %10d %10.1f %9s %9s%n",
            p.getName(), state(p.getState()), bar(p.getShardsDone(), p.getShardsTotal()),
            p.getShardsDone() + "/" + p.getShardsTotal(), p.getShardsRunning(), p.getSamples(),
            p.getMeanWords(), duration(p.getElapsedMs()), eta(p)));
      }
    }
    out.append("elapsed ").append(s.getStartedAtMs() > 0 ? duration(nowMs - s.getStartedAtMs()) : "-");
    s.getStagesList().stream()
        .filter(p -> p.getName().equals(s.getStage()))
        .findFirst()
        .ifPresent(p -> out.append("  stage ETA ").append(eta(p)));
    out.append('\n');
    if (s.hasSeedHeldOutLengths() && s.getSeedHeldOutLengths().getCount() > 0) {
      out.append("seed model: held-out ").append(lengths(s.getSeedHeldOutLengths()));
      if (s.hasSeedEvaluation()) {
        out.append(benchmark(s.getSeedEvaluation()));
      }
      out.append('\n');
    }
    for (RoundResult r : s.getRoundsList()) {
      out.append(String.format(Locale.ROOT,
          "round %d: %d instructions, %d responses kept, extension acceptance %.0f%%, held-out %s",
          r.getRound(), r.getInstructionsMade(), r.getResponsesKept(), 100 * r.getExtensionAcceptance(),
          lengths(r.getHeldOutLengths())));
      if (r.hasEvaluation()) {
        out.append(benchmark(r.getEvaluation()));
      }
      out.append('\n');
    }
    return out.toString();
  }

  private static String benchmark(selflengthen.v1.EvalScores e) {
    var length = e.getLength();
    return ", " + length.getBenchmark() + " score " + EvalReport.format(length.getOverall(), length.getScale())
        + " (" + length.getScale() + ")";
  }

  static String bar(long done, long total) {
    int filled = total <= 0 ? 0 : (int) Math.min(BAR, Math.round((double) BAR * done / total));
    return "[" + "#".repeat(filled) + ".".repeat(BAR - filled) + "]";
  }

  private static String state(StageState state) {
    return switch (state) {
      case STAGE_STATE_PENDING -> "pending";
      case STAGE_STATE_RUNNING -> "running";
      case STAGE_STATE_DONE -> "done";
      case STAGE_STATE_SKIPPED -> "skipped";
      case STAGE_STATE_FAILED -> "failed";
      default -> "-";
    };
  }

  private static String eta(StageProgress p) {
    if (p.getState() == StageState.STAGE_STATE_DONE || p.getState() == StageState.STAGE_STATE_SKIPPED) {
      return "-";
    }
    return p.getEtaMs() < 0 ? "?" : duration(p.getEtaMs());
  }

  private static String lengths(LengthStats l) {
    if (l.getCount() == 0) {
      return "-";
    }
    return String.format(Locale.ROOT, "mean %.0f words (median %.0f, max %.0f, n=%d)",
        l.getMeanWords(), l.getMedianWords(), l.getMaxWords(), l.getCount());
  }

  /** 1h02m, 3m05s, 42s. */
  static String duration(long ms) {
    long s = Math.max(0, ms) / 1000;
    if (s >= 3600) {
      return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
    }
    if (s >= 60) {
      return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
    return s + "s";
  }
}
