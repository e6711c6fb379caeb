package selflengthen.store;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import selflengthen.spec.SpecValidator;

/**
 * Where things live under the data root, as paths relative to it:
 *
 * <pre>
 * runs/&lt;run&gt;/spec.json                              the resolved spec
 * runs/&lt;run&gt;/manifest.jsonl                         lineage of every finished artifact
 * runs/&lt;run&gt;/round-&lt;k&gt;/&lt;stage&gt;/shard-&lt;i&gt;.jsonl       one activity's output (i as 00003)
 * runs/&lt;run&gt;/round-&lt;k&gt;/&lt;stage&gt;.jsonl                a stage's merged output
 * runs/&lt;run&gt;/round-&lt;k&gt;/instruction-pool.jsonl       the pool after self-instruct
 * runs/&lt;run&gt;/round-&lt;k&gt;/sft/&lt;role&gt;.jsonl             SFT sets (generator, extender)
 * runs/&lt;run&gt;/round-&lt;k&gt;/adapters/&lt;role&gt;/             trained PEFT adapters
 * runs/&lt;run&gt;/long.jsonl                             every (query, response) of the run
 * runs/&lt;run&gt;/length-control.jsonl                   the length-controlled SFT set
 * runs/&lt;run&gt;/eval/&lt;name&gt;                             evaluation outputs
 * runs/&lt;run&gt;/reports/                               reports and charts
 * </pre>
 */
public final class Layout {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
  private static final Pattern RUN_PATH = Pattern.compile("runs/([^/]+)/.+");

  private Layout() {}

  public static String run(String runId) {
    return "runs/" + checkRun(runId);
  }

  public static String spec(String runId) {
    return run(runId) + "/spec.json";
  }

  /** A resolved spec named by the SHA-256 of its bytes (what stage inputs refer to). */
  public static String specSnapshot(String runId, String sha256) {
    if (!sha256.matches("[0-9a-f]{64}")) {
      throw new UnsafePathException("'" + sha256 + "' is not a hex SHA-256");
    }
    return run(runId) + "/specs/" + sha256 + ".json";
  }

  public static String manifest(String runId) {
    return run(runId) + "/manifest.jsonl";
  }

  public static String round(String runId, int round) {
    if (round < 0) {
      throw new IllegalArgumentException("round must be 0 or more (got " + round + ")");
    }
    return run(runId) + "/round-" + round;
  }

  public static String stage(String runId, int round, String stage) {
    return round(runId, round) + "/" + checkName("stage", stage);
  }

  public static String shard(String runId, int round, String stage, int index) {
    if (index < 0) {
      throw new IllegalArgumentException("shard index must be 0 or more (got " + index + ")");
    }
    return stage(runId, round, stage) + String.format(Locale.ROOT, "/shard-%05d.jsonl", index);
  }

  public static String stageOutput(String runId, int round, String stage) {
    return stage(runId, round, stage) + ".jsonl";
  }

  public static String instructionPool(String runId, int round) {
    return round(runId, round) + "/instruction-pool.jsonl";
  }

  public static String sftSet(String runId, int round, String role) {
    return round(runId, round) + "/sft/" + checkName("role", role) + ".jsonl";
  }

  public static String adapter(String runId, int round, String role) {
    return round(runId, round) + "/adapters/" + checkName("role", role);
  }

  public static String longSet(String runId) {
    return run(runId) + "/long.jsonl";
  }

  public static String lengthControlSet(String runId) {
    return run(runId) + "/length-control.jsonl";
  }

  public static String eval(String runId, String name) {
    return run(runId) + "/eval/" + checkName("eval name", name);
  }

  public static String reports(String runId) {
    return run(runId) + "/reports";
  }

  /** The run a path belongs to ("runs/&lt;run&gt;/..."), if any. */
  public static Optional<String> runOf(String path) {
    Matcher m = RUN_PATH.matcher(path);
    return m.matches() ? Optional.of(m.group(1)) : Optional.empty();
  }

  private static String checkRun(String runId) {
    if (!SpecValidator.isSafeRunId(runId)) {
      throw new UnsafePathException("run id '" + runId + "' is not a safe directory name");
    }
    return runId;
  }

  private static String checkName(String what, String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new UnsafePathException(what + " '" + name + "' is not a safe file name");
    }
    return name;
  }
}
