package selflengthen.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import selflengthen.activities.Limits;
import selflengthen.eval.Benchmark;
import selflengthen.eval.EvalInputException;
import selflengthen.eval.JsonlRow;
import selflengthen.eval.JsonlRows;
import selflengthen.v1.Evaluation;
import selflengthen.v1.Language;
import selflengthen.v1.LengthControl;
import selflengthen.v1.ModelRef;
import selflengthen.v1.Models;
import selflengthen.v1.RunSpec;
import selflengthen.v1.Sampling;
import selflengthen.v1.TrainMethod;
import selflengthen.v1.Training;

/**
 * Refuses a bad run spec before any work starts, naming every problem at once (field path in proto
 * names + what is wrong), so a user fixes them in one go instead of one per attempt.
 *
 * <p>Two kinds of checks: {@link #structuralProblems} looks at the spec alone (deterministic, safe
 * in workflow code); {@link #fileProblems} looks at the files and directories it names (seed file,
 * checkpoints, adapters), so it belongs in a client or an activity. File paths must be absolute
 * (a relative one would resolve against each worker's directory), except adapters, which resolve
 * against the data root; an empty data_root means the worker's configured one.
 */
public final class SpecValidator {
  /** Run ids become workflow ids and directory names: keep them to portable path characters. */
  public static final Pattern RUN_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

  public static final Set<String> LR_SCHEDULERS =
      Set.of("cosine", "linear", "constant", "constant_with_warmup");

  /** Fields a seed or held-out JSONL line may carry its instruction in. */
  public static final List<String> INSTRUCTION_FIELDS = List.of("instruction", "query", "prompt");

  /** Most shards of a stage in flight at once (the workflow's own bound, as set-parallelism's). */
  public static final int MAX_SHARDS = Limits.MAX_SHARDS;

  private static final Pattern DEVICE = Pattern.compile("cpu|cuda(:\\d+)?");
  private static final ObjectMapper JSON = new ObjectMapper();

  private SpecValidator() {}

  /**
   * Fills the defaults, then checks everything (the spec and the files it names).
   *
   * @return the resolved spec
   * @throws SpecValidationException listing every problem
   */
  public static RunSpec validate(RunSpec spec) {
    RunSpec resolved = SpecDefaults.resolve(spec);
    List<SpecProblem> problems = problems(resolved);
    if (!problems.isEmpty()) {
      throw new SpecValidationException(problems);
    }
    return resolved;
  }

  /** Like {@link #validate} without touching the file system: for workflow code. */
  public static RunSpec validateStructure(RunSpec spec) {
    RunSpec resolved = SpecDefaults.resolve(spec);
    List<SpecProblem> problems = structuralProblems(resolved);
    if (!problems.isEmpty()) {
      throw new SpecValidationException(problems);
    }
    return resolved;
  }

  /** Every problem of a resolved spec: structure first, then files. */
  public static List<SpecProblem> problems(RunSpec resolved) {
    List<SpecProblem> all = new ArrayList<>(structuralProblems(resolved));
    all.addAll(fileProblems(resolved));
    return all;
  }

  public static boolean isSafeRunId(String runId) {
    return runId != null && RUN_ID.matcher(runId).matches();
  }

  public static List<SpecProblem> structuralProblems(RunSpec s) {
    Problems p = new Problems();
    if (s.getRunId().isEmpty()) {
      p.add("run_id", "missing (required)");
    } else if (!isSafeRunId(s.getRunId())) {
      p.add("run_id", "'" + s.getRunId() + "' has characters unsafe for a path: use letters, digits,"
          + " '.', '_' and '-', starting with a letter or digit, at most 128");
    }
    if (s.getLanguage() == Language.UNRECOGNIZED) {
      p.add("language", "unknown language (expected LANGUAGE_EN or LANGUAGE_ZH)");
    }
    absolutePaths(p, s);
    p.atLeast("rounds", s.getRounds(), 1);
    sampling(p, "sampling", s.getSampling(), null);
    models(p, s);

    var si = s.getSelfInstruct();
    if (si.getSeedFile().isBlank()) {
      p.add("self_instruct.seed_file", "missing (required: a JSONL file of seed instructions)");
    }
    p.atLeast("self_instruct.instructions_per_round", si.getInstructionsPerRound(), 1);
    p.atLeast("self_instruct.few_shot", si.getFewShot(), 1);
    p.atLeast("self_instruct.max_tries", si.getMaxTries(), 1);
    if (Integer.toUnsignedLong(si.getMinWords()) >= Integer.toUnsignedLong(si.getMaxWords())) {
      p.add("self_instruct.max_words", "must be greater than min_words " + si.getMinWords()
          + " (got " + si.getMaxWords() + ")");
    }
    p.openClosed("self_instruct.near_duplicate_threshold", si.getNearDuplicateThreshold(), 0, 1);
    p.atLeast("self_instruct.judge_long_words", si.getJudgeLongWords(), 1);
    sampling(p, "self_instruct.sampling", si.getSampling(), s.getSampling());

    p.atLeast("initial_responses.per_instruction", s.getInitialResponses().getPerInstruction(), 1);
    p.atLeast("initial_responses.max_tries", s.getInitialResponses().getMaxTries(), 1);

    var ext = s.getExtension();
    p.atLeast("extension.attempts", ext.getAttempts(), 1);
    p.atLeast("extension.max_tries", ext.getMaxTries(), 1);
    p.atLeast("extension.micro_iterations", ext.getMicroIterations(), 1);
    p.openClosed("extension.prefix_fraction", ext.getPrefixFraction(), 0, 1);
    if (!(ext.getMinGrowth() >= 1 && Float.isFinite(ext.getMinGrowth()))) {
      p.add("extension.min_growth", "must be at least 1 (got " + ext.getMinGrowth() + ")");
    }

    if (!(s.getDropShort().getFactor() >= 0 && Float.isFinite(s.getDropShort().getFactor()))) {
      p.add("drop_short.factor", "must be 0 or more (got " + s.getDropShort().getFactor() + ")");
    }
    if (!(s.getDropShort().getExponent() > 0 && Float.isFinite(s.getDropShort().getExponent()))) {
      p.add("drop_short.exponent", "must be greater than 0 (got " + s.getDropShort().getExponent() + ")");
    }

    var rc = s.getResponseCheck();
    if (rc.getClosingPunctuation().isBlank()) {
      p.add("response_check.closing_punctuation", "must name at least one character");
    }
    p.atLeast("response_check.ngram_words_en", rc.getNgramWordsEn(), 1);
    p.atLeast("response_check.ngram_units_zh", rc.getNgramUnitsZh(), 1);

    p.closedOpen("training_sets.extender_line_drop", s.getTrainingSets().getExtenderLineDrop(), 0, 1);
    training(p, s.getTraining());

    var par = s.getParallelism();
    p.atLeast("parallelism.shard_size", par.getShardSize(), 1);
    p.atLeast("parallelism.max_concurrent_shards", par.getMaxConcurrentShards(), 1);
    // The bound setParallelism enforces (FanOutSettings.MAX_SHARDS): the same at start as later.
    if (Integer.toUnsignedLong(par.getMaxConcurrentShards()) > MAX_SHARDS) {
      p.add("parallelism.max_concurrent_shards",
          "must be at most " + MAX_SHARDS + " (got " + Integer.toUnsignedLong(par.getMaxConcurrentShards()) + ")");
    }
    p.openClosed("parallelism.straggler_fraction", par.getStragglerFraction(), 0, 1);
    if (par.hasInferenceHeartbeatSeconds()) {
      p.atLeast("parallelism.inference_heartbeat_seconds", par.getInferenceHeartbeatSeconds(), 1);
    }
    // The workflow's own bound on a stage's in-flight shards (FanOutSettings.MAX_SHARDS).
    if (par.hasQueuedShards() && Integer.toUnsignedLong(par.getQueuedShards()) > 1024) {
      p.add(
          "parallelism.queued_shards",
          "must be at most 1024 (got " + Integer.toUnsignedLong(par.getQueuedShards()) + ")");
    }

    p.atLeast("measurement.held_out_count", s.getMeasurement().getHeldOutCount(), 1);
    sampling(p, "measurement.sampling", s.getMeasurement().getSampling(), s.getSampling());

    lengthControl(p, s.getLengthControl());
    evaluation(p, s);
    preferenceStage(p, s);

    for (Map.Entry<String, String> e : s.getPromptOverridesMap().entrySet()) {
      if (e.getValue().isBlank()) {
        p.add("prompt_overrides." + e.getKey(), "empty template");
      }
    }
    return p.list;
  }

  /**
   * Checks a sampling block. A stage's block inherits the run's field by field, so a value equal
   * to the run's ({@code parent}) was reported there already and is not repeated.
   */
  private static void sampling(Problems p, String at, Sampling s, Sampling parent) {
    if (!(s.getTemperature() >= 0 && Float.isFinite(s.getTemperature()))
        && (parent == null || Float.compare(s.getTemperature(), parent.getTemperature()) != 0)) {
      p.add(at + ".temperature", "must be 0 or more (got " + s.getTemperature() + ")");
    }
    if (parent == null || Float.compare(s.getTopP(), parent.getTopP()) != 0) {
      p.openClosed(at + ".top_p", s.getTopP(), 0, 1);
    }
    if (!(s.getRepetitionPenalty() > 0 && Float.isFinite(s.getRepetitionPenalty()))
        && (parent == null || Float.compare(s.getRepetitionPenalty(), parent.getRepetitionPenalty()) != 0)) {
      p.add(at + ".repetition_penalty", "must be greater than 0 (got " + s.getRepetitionPenalty() + ")");
    }
    if (parent == null || s.getMaxNewTokens() != parent.getMaxNewTokens()) {
      p.atLeast(at + ".max_new_tokens", s.getMaxNewTokens(), 1);
    }
    if (parent == null || !s.getStopList().equals(parent.getStopList())) {
      for (int i = 0; i < s.getStopCount(); i++) {
        if (s.getStop(i).isEmpty()) {
          p.add(at + ".stop[" + i + "]", "empty stop string");
        }
      }
    }
  }

  private static void models(Problems p, RunSpec s) {
    Models m = s.getModels();
    boolean someRoleNeedsBase =
        needsBase(m.getGenerator()) || needsBase(m.getExtender()) || needsBase(m.getJudge());
    if (m.getBaseModel().isBlank() && someRoleNeedsBase) {
      p.add("models.base_model", "missing (required unless every role names its own path or endpoint)");
    }
    modelRef(p, "models.generator", m.getGenerator(), s.getDataRoot());
    modelRef(p, "models.extender", m.getExtender(), s.getDataRoot());
    modelRef(p, "models.judge", m.getJudge(), s.getDataRoot());
    p.atLeast("models.max_batch_size", m.getMaxBatchSize(), 1);
  }

  private static boolean needsBase(ModelRef r) {
    return r.getPath().isBlank() && r.getEndpoint().isBlank();
  }

  private static void modelRef(Problems p, String at, ModelRef r, String dataRoot) {
    if (!r.getEndpoint().isEmpty()) {
      if (!isHttpUrl(r.getEndpoint())) {
        p.add(at + ".endpoint", "not an http(s) URL: '" + r.getEndpoint() + "'");
      }
      if (r.getModelName().isBlank()) {
        p.add(at + ".model_name", "missing (required with an endpoint)");
      }
    }
    if (!r.getApiKeyEnv().isEmpty() && !r.getApiKeyFile().isEmpty()) {
      p.add(at + ".api_key_file", "set only one of api_key_env and api_key_file");
    }
    if (!DEVICE.matcher(r.getDevice()).matches()) {
      p.add(at + ".device", "expected cpu or cuda:N (got '" + r.getDevice() + "')");
    }
    p.atLeast(at + ".max_concurrency", r.getMaxConcurrency(), 1);
    p.atLeast(at + ".timeout_seconds", r.getTimeoutSeconds(), 1);
    if (!r.getAdapter().isEmpty() && !dataRoot.isBlank()) {
      try {
        Path adapter = Path.of(r.getAdapter());
        if (!adapter.isAbsolute()) {
          Path root = Path.of(dataRoot).normalize();
          if (!root.resolve(adapter).normalize().startsWith(root)) {
            p.add(at + ".adapter", "'" + r.getAdapter() + "' escapes the data root " + dataRoot);
          }
        }
      } catch (InvalidPathException e) {
        p.add(at + ".adapter", "not a valid path: '" + r.getAdapter() + "'");
      }
    }
  }

  private static void evaluation(Problems p, RunSpec s) {
    Evaluation e = s.getEvaluation();
    if (e.getDataset().isBlank()) {
      if (!e.getFormat().isEmpty()) {
        p.add("evaluation.dataset", "missing (evaluation.format is set)");
      }
      return;
    }
    if (e.getFormat().isBlank()) {
      p.add("evaluation.format", "missing (required with evaluation.dataset): one of " + Benchmark.cliNames());
    } else {
      try {
        Benchmark.fromCliName(e.getFormat());
      } catch (IllegalArgumentException x) {
        p.add("evaluation.format", x.getMessage());
      }
    }
    p.atLeast("evaluation.judge_attempts", e.getJudgeAttempts(), 1);
    p.atLeast("evaluation.judge_max_new_tokens", e.getJudgeMaxNewTokens(), 1);
    sampling(p, "evaluation.sampling", e.getSampling(), s.getMeasurement().getSampling());
  }

  /** Every row of the benchmark file must score: the first malformed one is named by its line. */
  private static void evaluationFile(Problems p, Evaluation e) {
    if (e.getDataset().isBlank()) {
      return;
    }
    Path path = path(p, "evaluation.dataset", e.getDataset());
    if (path == null) {
      return;
    }
    if (!Files.isRegularFile(path)) {
      p.add("evaluation.dataset", "file not found: " + e.getDataset());
      return;
    }
    Benchmark benchmark;
    try {
      benchmark = Benchmark.fromCliName(e.getFormat());
    } catch (IllegalArgumentException x) {
      return; // named by the structural check
    }
    try {
      for (JsonlRow row : JsonlRows.read(path)) {
        benchmark.scorer().score(row, "");
      }
    } catch (EvalInputException x) {
      p.add("evaluation.dataset", x.getMessage() + " (format " + benchmark.cliName() + ")");
    } catch (java.io.UncheckedIOException x) {
      p.add("evaluation.dataset", "cannot read " + e.getDataset() + ": " + x.getMessage());
    }
  }

  private static boolean isHttpUrl(String url) {
    try {
      URI uri = new URI(url);
      return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
          && uri.getHost() != null;
    } catch (URISyntaxException e) {
      return false;
    }
  }

  private static void training(Problems p, Training t) {
    if (t.getMethod() == TrainMethod.UNRECOGNIZED) {
      p.add("training.method", "unknown method (expected TRAIN_METHOD_LORA or TRAIN_METHOD_FULL)");
    }
    p.atLeast("training.lora_rank", t.getLoraRank(), 1);
    if (!(t.getLoraAlpha() > 0 && Float.isFinite(t.getLoraAlpha()))) {
      p.add("training.lora_alpha", "must be greater than 0 (got " + t.getLoraAlpha() + ")");
    }
    p.closedOpen("training.lora_dropout", t.getLoraDropout(), 0, 1);
    for (int i = 0; i < t.getLoraTargetsCount(); i++) {
      if (t.getLoraTargets(i).isBlank()) {
        p.add("training.lora_targets[" + i + "]", "empty module name");
      }
    }
    if (!(t.getLearningRate() > 0 && Float.isFinite(t.getLearningRate()))) {
      p.add("training.learning_rate", "must be greater than 0 (got " + t.getLearningRate() + ")");
    }
    if (!(t.getEpochs() > 0 && Float.isFinite(t.getEpochs()))) {
      p.add("training.epochs", "must be greater than 0 (got " + t.getEpochs() + ")");
    }
    if (!LR_SCHEDULERS.contains(t.getLrScheduler())) {
      p.add("training.lr_scheduler", "expected one of " + String.join(", ", LR_SCHEDULERS.stream().sorted().toList())
          + " (got '" + t.getLrScheduler() + "')");
    }
    p.closedOpen("training.warmup_ratio", t.getWarmupRatio(), 0, 1);
    p.atLeast("training.cutoff_len", t.getCutoffLen(), 1);
    p.atLeast("training.batch_size", t.getBatchSize(), 1);
    p.atLeast("training.gradient_accumulation", t.getGradientAccumulation(), 1);
    if (!(t.getWeightDecay() >= 0 && Float.isFinite(t.getWeightDecay()))) {
      p.add("training.weight_decay", "must be 0 or more (got " + t.getWeightDecay() + ")");
    }
    p.atLeast("training.checkpoint_every", t.getCheckpointEvery(), 1);
  }

  /** The preference stage, its pairs and the generation mode (all ours, off by default). */
  private static void preferenceStage(Problems p, RunSpec s) {
    Training t = s.getTraining();
    if (t.getPreference() == selflengthen.v1.PreferenceMethod.UNRECOGNIZED) {
      p.add("training.preference", "unknown method (expected PREFERENCE_METHOD_NONE or PREFERENCE_METHOD_DPO)");
    }
    var dpo = t.getDpo();
    if (!(dpo.getBeta() > 0 && Float.isFinite(dpo.getBeta()))) {
      p.add("training.dpo.beta", "must be greater than 0 (got " + dpo.getBeta() + ")");
    }
    if (dpo.getWhen() == selflengthen.v1.DpoWhen.UNRECOGNIZED) {
      p.add("training.dpo.when", "unknown value (expected DPO_WHEN_EACH_ROUND or DPO_WHEN_LAST_ROUND)");
    }
    if (!(dpo.getEpochs() > 0 && Float.isFinite(dpo.getEpochs()))) {
      p.add("training.dpo.epochs", "must be greater than 0 (got " + dpo.getEpochs() + ")");
    }
    if (!(dpo.getLearningRate() > 0 && Float.isFinite(dpo.getLearningRate()))) {
      p.add("training.dpo.learning_rate", "must be greater than 0 (got " + dpo.getLearningRate() + ")");
    }
    if (t.getPreference() == selflengthen.v1.PreferenceMethod.PREFERENCE_METHOD_DPO
        && t.getMethod() == TrainMethod.TRAIN_METHOD_FULL) {
      p.add("training.preference", "PREFERENCE_METHOD_DPO trains a LoRA on top of the SFT adapter:"
          + " it needs training.method TRAIN_METHOD_LORA (got TRAIN_METHOD_FULL)");
    }
    var pairs = s.getPreference().getPairs();
    if (pairs.getRejected() == selflengthen.v1.RejectedSource.UNRECOGNIZED) {
      p.add("preference.pairs.rejected", "unknown source (expected REJECTED_SOURCE_START,"
          + " REJECTED_SOURCE_CHECK_REJECTED or REJECTED_SOURCE_SHORTER_STEP)");
    }
    p.atLeast("preference.pairs.max_per_kind", pairs.getMaxPerKind(), 1);
    if (s.getGeneration().getMode() == selflengthen.v1.GenerationMode.UNRECOGNIZED) {
      p.add("generation.mode", "unknown mode (expected GENERATION_MODE_SELF_LENGTHEN or GENERATION_MODE_AGENTWRITE)");
    }
  }

  private static void lengthControl(Problems p, LengthControl l) {
    p.atLeast("length_control.min_words", l.getMinWords(), 1);
    if (Integer.toUnsignedLong(l.getMaxWords()) <= Integer.toUnsignedLong(l.getMinWords())) {
      p.add("length_control.max_words", "must be greater than min_words " + l.getMinWords()
          + " (got " + l.getMaxWords() + ")");
    }
    p.closedClosed("length_control.share_about", l.getShareAbout(), 0, 1);
    p.closedClosed("length_control.share_range", l.getShareRange(), 0, 1);
    p.closedClosed("length_control.share_above", l.getShareAbove(), 0, 1);
    p.closedClosed("length_control.share_below", l.getShareBelow(), 0, 1);
    double sum = (double) l.getShareAbout() + l.getShareRange() + l.getShareAbove() + l.getShareBelow();
    if (!(Math.abs(sum - 1) <= 1e-3)) {
      p.add("length_control", String.format(java.util.Locale.ROOT,
          "share_about + share_range + share_above + share_below must sum to 1 (got %.4g = %s + %s + %s + %s)",
          sum, l.getShareAbout(), l.getShareRange(), l.getShareAbove(), l.getShareBelow()));
    }
    p.atLeast("length_control.round_to", l.getRoundTo(), 1);
    p.closedClosed("length_control.share_floor", l.getShareFloor(), 0, 1);
  }

  /** Checks the files and directories a resolved spec names. */
  public static List<SpecProblem> fileProblems(RunSpec s) {
    Problems p = new Problems();
    Path dataRoot = s.getDataRoot().isBlank() ? null : path(p, "data_root", s.getDataRoot());
    if (dataRoot != null && Files.exists(dataRoot) && !Files.isDirectory(dataRoot)) {
      p.add("data_root", "not a directory: " + s.getDataRoot());
    } else if (dataRoot != null) {
      writableProblem(dataRoot).ifPresent(m -> p.add("data_root", m));
    }
    Models m = s.getModels();
    if (!m.getBaseModel().isBlank()) {
      checkpoint(p, "models.base_model", m.getBaseModel());
    }
    role(p, "models.generator", m.getGenerator(), m.getBaseModel(), dataRoot);
    role(p, "models.extender", m.getExtender(), m.getBaseModel(), dataRoot);
    role(p, "models.judge", m.getJudge(), m.getBaseModel(), dataRoot);
    role(p, "models.length_control", m.getLengthControl(), m.getBaseModel(), dataRoot);

    int seeds = -1;
    if (!s.getSelfInstruct().getSeedFile().isBlank()) {
      seeds = instructionFile(p, "self_instruct.seed_file", s.getSelfInstruct().getSeedFile());
    }
    evaluationFile(p, s.getEvaluation());
    var measurement = s.getMeasurement();
    String tasks = measurement.getTasksFile().isBlank() ? measurement.getHeldOutFile() : measurement.getTasksFile();
    if (!tasks.isBlank()) {
      instructionFile(p, "measurement.tasks_file", tasks);
    } else if (seeds > 0 && measurement.getHoldOutSeeds()) {
      // Only when the spec asks the measurement to take seeds out of the pool.
      long left = seeds - Math.min(seeds, Integer.toUnsignedLong(measurement.getHeldOutCount()));
      int fewShot = s.getSelfInstruct().getFewShot();
      if (left < fewShot) {
        p.add("measurement.held_out_count", "holding out " + measurement.getHeldOutCount()
            + " of the " + seeds + " seed instructions leaves " + Math.max(left, 0)
            + " for the pool, fewer than few_shot " + fewShot
            + ": lower it, set measurement.tasks_file, or leave measurement.hold_out_seeds off");
      }
    }
    return p.list;
  }

  private static void role(Problems p, String at, ModelRef r, String basePath, Path dataRoot) {
    if (!r.getPath().isBlank() && !r.getPath().equals(basePath)) {
      checkpoint(p, at + ".path", r.getPath());
    }
    if (!r.getAdapter().isBlank()) {
      Path adapter = path(p, at + ".adapter", r.getAdapter());
      if (adapter != null && !adapter.isAbsolute() && dataRoot != null) {
        adapter = dataRoot.resolve(adapter);
      }
      if (adapter != null && !Files.isDirectory(adapter)) {
        p.add(at + ".adapter", "directory not found: " + adapter);
      }
    }
    if (!r.getApiKeyFile().isBlank()) {
      Path key = path(p, at + ".api_key_file", r.getApiKeyFile());
      if (key != null && !Files.isRegularFile(key)) {
        p.add(at + ".api_key_file", "file not found: " + r.getApiKeyFile());
      }
    }
  }

  private static void checkpoint(Problems p, String at, String dir) {
    Path path = path(p, at, dir);
    if (path == null) {
      return;
    }
    if (!Files.isDirectory(path)) {
      p.add(at, "checkpoint directory not found: " + dir);
    } else if (!Files.isRegularFile(path.resolve("config.json"))) {
      p.add(at, "no config.json in " + dir + " (not a Hugging Face checkpoint directory)");
    }
  }

  /**
   * Why a data root cannot be used, found without creating it: an existing root must be a writable
   * directory, a missing one needs a writable nearest existing parent.
   */
  public static java.util.Optional<String> writableProblem(Path root) {
    Path abs = root.toAbsolutePath().normalize();
    Path existing = abs;
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    if (existing == null) {
      return java.util.Optional.of("cannot create " + abs + ": no existing parent directory");
    }
    if (!Files.isDirectory(existing)) {
      return java.util.Optional.of("cannot create " + abs + ": " + existing + " is not a directory");
    }
    if (!Files.isWritable(existing)) {
      return java.util.Optional.of(existing.equals(abs)
          ? abs + " is not writable (permission denied)"
          : "cannot create " + abs + ": " + existing + " is not writable (permission denied)");
    }
    return java.util.Optional.empty();
  }

  /**
   * Paths every worker reads must not depend on a worker's working directory: a relative path
   * would resolve differently on each machine. (Adapters resolve against the data root.)
   */
  private static void absolutePaths(Problems p, RunSpec s) {
    absolute(p, "data_root", s.getDataRoot());
    absolute(p, "models.base_model", s.getModels().getBaseModel());
    for (String role : List.of("generator", "extender", "judge")) {
      ModelRef r = switch (role) {
        case "generator" -> s.getModels().getGenerator();
        case "extender" -> s.getModels().getExtender();
        default -> s.getModels().getJudge();
      };
      absolute(p, "models." + role + ".path", r.getPath());
      absolute(p, "models." + role + ".api_key_file", r.getApiKeyFile());
    }
    absolute(p, "self_instruct.seed_file", s.getSelfInstruct().getSeedFile());
    absolute(p, "measurement.held_out_file", s.getMeasurement().getHeldOutFile());
    absolute(p, "evaluation.dataset", s.getEvaluation().getDataset());
  }

  private static void absolute(Problems p, String at, String text) {
    if (text.isBlank()) {
      return;
    }
    try {
      if (!Path.of(text).isAbsolute()) {
        p.add(at, "'" + text + "' is a relative path: write an absolute one (a relative path would"
            + " resolve against each worker's own directory)");
      }
    } catch (InvalidPathException e) {
      p.add(at, "not a valid path: '" + text + "'");
    }
  }

  /** Counts the usable instructions of a JSONL file; -1 when it cannot be read. */
  private static int instructionFile(Problems p, String at, String file) {
    Path path = path(p, at, file);
    if (path == null) {
      return -1;
    }
    java.util.Optional<String> unreadable = TextFiles.problem(path, -1);
    if (unreadable.isPresent()) {
      p.add(at, unreadable.get());
      return -1;
    }
    int count = 0;
    int lineNo = 0;
    try (BufferedReader in = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
      for (String line; (line = in.readLine()) != null; ) {
        lineNo++;
        if (line.isBlank()) {
          continue;
        }
        JsonNode row;
        try {
          row = JSON.readTree(line);
        } catch (IOException e) {
          p.add(at, file + " line " + lineNo + " is not JSON");
          return -1;
        }
        if (instruction(row) == null) {
          p.add(at, file + " line " + lineNo + " has no text in any of the fields "
              + String.join(", ", INSTRUCTION_FIELDS));
          return -1;
        }
        count++;
      }
    } catch (IOException e) {
      p.add(at, "cannot read " + file + ": " + e.getMessage());
      return -1;
    }
    if (count == 0) {
      p.add(at, file + " holds no instructions");
    }
    return count;
  }

  /** The instruction text of a seed or held-out row, or null. */
  public static String instruction(JsonNode row) {
    if (row == null || !row.isObject()) {
      return null;
    }
    for (String field : INSTRUCTION_FIELDS) {
      JsonNode v = row.get(field);
      if (v != null && v.isTextual() && !v.asText().isBlank()) {
        return v.asText();
      }
    }
    return null;
  }

  private static Path path(Problems p, String at, String text) {
    try {
      return Path.of(text);
    } catch (InvalidPathException e) {
      p.add(at, "not a valid path: '" + text + "'");
      return null;
    }
  }

  /** Collects problems; the range helpers word the message the same way everywhere. */
  private static final class Problems {
    final List<SpecProblem> list = new ArrayList<>();

    void add(String field, String message) {
      list.add(new SpecProblem(field, message));
    }

    void atLeast(String field, int unsignedValue, long min) {
      long v = Integer.toUnsignedLong(unsignedValue);
      if (v < min) {
        add(field, "must be at least " + min + " (got " + v + ")");
      }
    }

    void openClosed(String field, float v, float lo, float hi) {
      if (!(v > lo && v <= hi)) {
        add(field, "must be in (" + fmt(lo) + ", " + fmt(hi) + "] (got " + v + ")");
      }
    }

    void closedOpen(String field, float v, float lo, float hi) {
      if (!(v >= lo && v < hi)) {
        add(field, "must be in [" + fmt(lo) + ", " + fmt(hi) + ") (got " + v + ")");
      }
    }

    void closedClosed(String field, float v, float lo, float hi) {
      if (!(v >= lo && v <= hi)) {
        add(field, "must be in [" + fmt(lo) + ", " + fmt(hi) + "] (got " + v + ")");
      }
    }

    private static String fmt(float f) {
      return f == Math.rint(f) ? Integer.toString((int) f) : Float.toString(f);
    }
  }
}
