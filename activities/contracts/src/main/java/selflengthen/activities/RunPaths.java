package selflengthen.activities;

/**
 * Where each artifact of a run lives, relative to the data root. The workflows compute every output
 * path from here and pass it in the activity's input, so a retried or resumed call writes the same
 * file.
 */
public final class RunPaths {
  private RunPaths() {}

  public static String runDir(String runId) {
    return "runs/" + runId;
  }

  public static String specFile(String runId) {
    return runDir(runId) + "/spec.json";
  }

  /** Seed instructions that start the pool (the held-out ones removed). */
  public static String seedPool(String runId) {
    return runDir(runId) + "/seeds/pool.jsonl";
  }

  public static String heldOut(String runId) {
    return runDir(runId) + "/seeds/held_out.jsonl";
  }

  public static String stageDir(String runId, int round, String stage) {
    return runDir(runId) + "/round-" + round + "/" + stage;
  }

  /** {@code runs/<run>/round-<k>/<stage>/shard-<iiiii>.jsonl}. */
  public static String shardOutput(String runId, int round, String stage, int index) {
    return stageDir(runId, round, stage) + String.format("/shard-%05d.jsonl", index);
  }

  /** The merged (or single-activity) output of a stage. */
  public static String stageOutput(String runId, int round, String stage) {
    String file =
        switch (stage) {
          case Stages.SELF_INSTRUCT, Stages.COLLECT_SELF_INSTRUCT -> "instructions.jsonl";
          case Stages.RESPOND, Stages.MEASURE, Stages.EVAL, Stages.COLLECT_RESPOND -> "responses.jsonl";
          case Stages.DROP_SHORT, Stages.DROP_SHORT_EXTENDED, Stages.COLLECT_DROP_SHORT -> "kept.jsonl";
          case Stages.EXTEND -> "extended.jsonl";
          case Stages.LENGTH_CONTROL_REWRITE -> "rewritten.jsonl";
          default -> throw new IllegalArgumentException("stage without a dataset output: " + stage);
        };
    return stageDir(runId, round, stage) + "/" + file;
  }

  /** The instruction pool after round k's self-instruct (old pool + accepted). */
  public static String pool(String runId, int round) {
    return stageDir(runId, round, Stages.SELF_INSTRUCT) + "/pool.jsonl";
  }

  public static String trainingSet(String runId, int round, String role) {
    return stageDir(runId, round, Stages.TRAINING_SETS) + "/" + role + ".json";
  }

  public static String datasetInfo(String runId, int round) {
    return stageDir(runId, round, Stages.TRAINING_SETS) + "/dataset_info.json";
  }

  /** {@code runs/<run>/round-<k>/train_<role>/adapter}. */
  public static String adapterDir(String runId, int round, String role) {
    return stageDir(runId, round, "train_" + role) + "/adapter";
  }

  /** {@code runs/<run>/round-<k>/train_dpo/adapter}: the Generator's DPO adapter of round k. */
  public static String dpoAdapterDir(String runId, int round) {
    return stageDir(runId, round, Stages.TRAIN_DPO) + "/adapter";
  }

  public static String longSet(String runId) {
    return runDir(runId) + "/long.jsonl";
  }

  public static String lengthControlSet(String runId) {
    return runDir(runId) + "/length_control/sft.json";
  }

  /** Length control's plan: the kept rows with their constraints, before the LLM rewrite. */
  public static String lengthControlPlan(String runId) {
    return runDir(runId) + "/length_control/plan.jsonl";
  }

  public static String lengthControlDatasetInfo(String runId) {
    return runDir(runId) + "/length_control/dataset_info.json";
  }

  /** {@code runs/<run>/length_control/adapter}: the Generator trained on the length-controlled set. */
  public static String lengthControlAdapter(String runId) {
    return runDir(runId) + "/length_control/adapter";
  }

  /** A standalone evaluation's resolved spec (not spec.json: an evaluation is not a run). */
  public static String evalSpecFile(String evalId) {
    return runDir(evalId) + "/eval/spec.json";
  }

  /** The benchmark rows of spec.evaluation, copied into the store at prepare. */
  public static String evalDataset(String runId) {
    return runDir(runId) + "/eval/dataset.jsonl";
  }

  /** Where round k's (round 0: a standalone evaluation's) benchmark report goes. */
  public static String evalReportDir(String runId, int round) {
    return stageDir(runId, round, Stages.EVAL) + "/report";
  }

  /** The report's summary JSON; its recorded result is the round's {@code EvalScores}. */
  public static String evalReportJson(String runId, int round) {
    return evalReportDir(runId, round) + "/" + EVAL_REPORT_STEM + ".eval.json";
  }

  /** File-name stem of the benchmark report files (responses.eval.md, responses.lengths.png, ...). */
  public static final String EVAL_REPORT_STEM = "responses";

  public static String reportDir(String runId) {
    return runDir(runId) + "/report";
  }
}
