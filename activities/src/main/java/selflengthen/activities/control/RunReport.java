package selflengthen.activities.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import selflengthen.activities.RunPaths;
import selflengthen.activities.Stages;
import selflengthen.activities.support.DataRoots;
import selflengthen.activities.support.Lineages;
import selflengthen.activities.support.MethodSetup;
import selflengthen.activities.support.RecordedResults;
import selflengthen.method.LanguageProfile;
import selflengthen.store.Checksums;
import selflengthen.store.DataStore;
import selflengthen.store.InputRef;
import selflengthen.store.ManifestEntry;
import selflengthen.v1.LengthControlResult;
import selflengthen.v1.LengthStats;
import selflengthen.v1.ReportTask;
import selflengthen.eval.EvalReport;
import selflengthen.v1.EvalScores;
import selflengthen.v1.RoundResult;
import selflengthen.v1.RunResult;
import selflengthen.v1.RunSpec;
import selflengthen.v1.StageResult;
import selflengthen.v1.TrainingResult;
import selflengthen.v1.WrittenReport;

/**
 * writeReport: the run's report under {@code output_dir}: report.md (readable summary with the
 * charts), report.json (the figures and the whole RunResult), lengths.png (length distributions:
 * the seed model's and each round's Generator's held-out answers, and each round's kept extended
 * responses) and held_out_mean.png (mean words by round, 0 = the seed model). A report already
 * written for the same RunResult returns at once.
 */
final class RunReport {
  static final String MARKDOWN = "report.md";
  static final String JSON_FILE = "report.json";
  static final String LENGTHS_PNG = "lengths.png";
  static final String MEANS_PNG = "held_out_mean.png";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String RESULT_INPUT = "run_result";

  private final DataRoots roots;

  RunReport(DataRoots roots) {
    this.roots = roots;
  }

  WrittenReport write(ReportTask task) throws IOException {
    RunSpec spec = task.getContext().getSpec();
    DataStore store = roots.store(spec);
    String dir = task.getOutputDir();
    String md = dir + "/" + MARKDOWN;
    String resultSha = sha(task.getResult().toByteArray());
    Optional<WrittenReport> done = RecordedResults.completed(store, md, WrittenReport.getDefaultInstance());
    if (done.isPresent()
        && (madeFrom(store, md, resultSha) || recoveredUnchanged(store, md, done.get(), task.getResult()))) {
      return done.get();
    }
    LanguageProfile profile = MethodSetup.of(spec).profile();
    RunResult result = task.getResult();
    String run = spec.getRunId();

    Map<String, List<Integer>> distributions = new LinkedHashMap<>();
    words(store, RunPaths.stageOutput(run, 0, Stages.MEASURE), profile)
        .ifPresent(w -> distributions.put("seed held-out", w));
    for (RoundResult r : result.getRoundsList()) {
      output(r, Stages.MEASURE).flatMap(p -> words(store, p, profile))
          .ifPresent(w -> distributions.put("round " + r.getRound() + " held-out", w));
      output(r, Stages.DROP_SHORT_EXTENDED).flatMap(p -> words(store, p, profile))
          .ifPresent(w -> distributions.put("round " + r.getRound() + " extended", w));
    }
    List<String> files = new ArrayList<>(List.of(md, dir + "/" + JSON_FILE));
    distributions.values().removeIf(List::isEmpty);
    if (!distributions.isEmpty()) {
      ReportCharts.lengthDistribution(
          run + ": output lengths (words)", distributions, store.resolve(dir + "/" + LENGTHS_PNG));
      files.add(dir + "/" + LENGTHS_PNG);
    }
    int rounds = result.getRoundsCount();
    double[] heldOut = nan(rounds + 1);
    double[] initial = nan(rounds + 1);
    double[] extended = nan(rounds + 1);
    if (result.hasSeedHeldOutLengths() && result.getSeedHeldOutLengths().getCount() > 0) {
      heldOut[0] = result.getSeedHeldOutLengths().getMeanWords();
    }
    for (int i = 0; i < rounds; i++) {
      RoundResult r = result.getRounds(i);
      heldOut[i + 1] = mean(r.getHeldOutLengths());
      initial[i + 1] = mean(r.getInitialLengths());
      extended[i + 1] = mean(r.getExtendedLengths());
    }
    Map<String, double[]> means = new LinkedHashMap<>();
    means.put("held-out answers (Generator)", heldOut);
    means.put("kept initial responses", initial);
    means.put("kept extended responses", extended);
    ReportCharts.meansByRound(run + ": mean words by round", means, rounds, store.resolve(dir + "/" + MEANS_PNG));
    files.add(dir + "/" + MEANS_PNG);

    Optional<LengthControlResult> lengthControl =
        result.hasLengthControlSet()
            ? RecordedResults.completed(store, result.getLengthControlSet().getPath(), LengthControlResult.getDefaultInstance())
            : Optional.empty();
    store.writeString(dir + "/" + JSON_FILE, json(result, lengthControl));
    store.writeString(md, markdown(spec, result, lengthControl, files));

    WrittenReport written = WrittenReport.newBuilder().addAllFiles(files).build();
    List<InputRef> inputs = new ArrayList<>();
    inputs.add(new InputRef(RESULT_INPUT, resultSha));
    if (result.hasLongSet()) {
      inputs.add(InputRef.of(result.getLongSet()));
    }
    for (String f : files.subList(1, files.size())) {
      store.record(f, 0, Lineages.of(task.getContext(), inputs));
    }
    RecordedResults.record(store, md, 0, Lineages.of(task.getContext(), inputs), written);
    return written;
  }

  /**
   * A resumed run that made nothing new: every stage of every round was found complete (skipped),
   * and its long set is the one the existing report was made from. Its RunResult differs from the
   * first execution's only in what resuming loses (stage times, "skipped"), so the report the
   * first execution wrote stands, byte for byte.
   */
  private static boolean recoveredUnchanged(
      DataStore store, String md, WrittenReport done, RunResult result) {
    boolean allSkipped =
        result.getRoundsCount() > 0
            && result.getRoundsList().stream()
                .allMatch(r -> r.getStagesCount() > 0
                    && r.getStagesList().stream().allMatch(StageResult::getSkipped));
    if (!allSkipped || !done.getFilesList().stream().allMatch(store::isComplete)) {
      return false;
    }
    Optional<ManifestEntry> e = store.manifest(spec(md)).latest(md);
    if (e.isEmpty()) {
      return false;
    }
    if (!result.hasLongSet()) {
      return true;
    }
    InputRef longSet = InputRef.of(result.getLongSet());
    return e.get().inputs().contains(longSet);
  }

  private static boolean madeFrom(DataStore store, String md, String resultSha) {
    Optional<ManifestEntry> e = store.manifest(spec(md)).latest(md);
    return e.isPresent()
        && e.get().inputs().stream().anyMatch(i -> i.path().equals(RESULT_INPUT) && i.sha256().equals(resultSha));
  }

  private static String spec(String path) {
    return selflengthen.store.Layout.runOf(path).orElseThrow();
  }

  private static Optional<String> output(RoundResult r, String stage) {
    return r.getStagesList().stream()
        .filter(s -> s.getName().equals(stage))
        .map(StageResult::getOutput)
        .filter(o -> !o.getPath().isEmpty())
        .map(o -> o.getPath())
        .findFirst();
  }

  /** Words of every row of a stage output, when the file is there. */
  private static Optional<List<Integer>> words(DataStore store, String path, LanguageProfile profile) {
    if (!store.exists(path)) {
      return Optional.empty();
    }
    List<Integer> out = new ArrayList<>();
    try (Stream<JsonNode> rows = store.streamJsonl(path, JsonNode.class)) {
      rows.forEach(r -> out.add(RowTexts.words(r, profile)));
    }
    return Optional.of(out);
  }

  private static String json(RunResult result, Optional<LengthControlResult> lengthControl) throws IOException {
    ObjectNode root = JSON.createObjectNode();
    root.put("run_id", result.getRunId());
    root.set("seed_held_out", lengths(result.getSeedHeldOutLengths()));
    ArrayNode rounds = root.putArray("rounds");
    for (RoundResult r : result.getRoundsList()) {
      ObjectNode o = rounds.addObject();
      o.put("round", r.getRound());
      o.put("instructions_made", r.getInstructionsMade());
      o.put("responses_kept", r.getResponsesKept());
      o.set("initial", lengths(r.getInitialLengths()));
      o.set("extended", lengths(r.getExtendedLengths()));
      o.put("extension_acceptance", r.getExtensionAcceptance());
      o.set("held_out", lengths(r.getHeldOutLengths()));
      o.put("generator_final_loss", r.getGeneratorTraining().getFinalLoss());
      o.put("extender_final_loss", r.getExtenderTraining().getFinalLoss());
      if (r.hasEvaluation()) {
        o.set("evaluation", evaluation(r.getEvaluation()));
      }
    }
    if (result.hasSeedEvaluation()) {
      root.set("seed_evaluation", evaluation(result.getSeedEvaluation()));
    }
    if (result.hasLongSet()) {
      root.put("long_set", result.getLongSet().getPath());
      root.put("long_set_rows", result.getLongSet().getCount());
    }
    lengthControl.ifPresent(lc -> {
      ObjectNode o = root.putObject("length_control");
      o.put("path", lc.getStage().getOutput().getPath());
      o.put("rows", lc.getStage().getSamplesOut());
      o.put("rewritten", lc.getRewritten());
      o.put("fallback", lc.getFallback());
      o.put("rewrite_model", lc.getModel());
      ObjectNode types = o.putObject("per_type");
      lc.getPerTypeMap().entrySet().stream().sorted(Map.Entry.comparingByKey())
          .forEach(e -> types.put(e.getKey(), e.getValue()));
      if (result.hasLengthControlTraining()) {
        TrainingResult t = result.getLengthControlTraining();
        o.put("adapter", t.getAdapter().getPath());
        o.put("first_loss", t.getFirstLoss());
        o.put("final_loss", t.getFinalLoss());
      }
    });
    try {
      root.set("result", JSON.readTree(JsonFormat.printer().preservingProtoFieldNames().print(result)));
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("cannot print the run result", e);
    }
    return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
  }

  /** A round's benchmark figures: length score, and the judge's means when it rated the answers. */
  private static ObjectNode evaluation(EvalScores e) {
    ObjectNode o = JSON.createObjectNode();
    o.put("benchmark", e.getLength().getBenchmark());
    o.put("answers", e.getLength().getCount());
    o.put("length_score", e.getLength().getOverall());
    o.put("scale", e.getLength().getScale());
    o.put("mean_produced_words", e.getLength().getMeanProducedWords());
    if (e.hasQuality()) {
      o.put("quality_mean", e.getQuality().getOverall());
      o.put("quality_rated", e.getQuality().getScored());
    }
    o.put("responses", e.getResponses().getPath());
    return o;
  }

  private static ObjectNode lengths(LengthStats s) {
    ObjectNode o = JSON.createObjectNode();
    o.put("count", s.getCount());
    o.put("mean_words", s.getMeanWords());
    o.put("median_words", s.getMedianWords());
    o.put("min_words", s.getMinWords());
    o.put("max_words", s.getMaxWords());
    o.put("capped", s.getCapped());
    return o;
  }

  /** Each round's Generator on spec.evaluation's benchmark file, with a link to its own report. */
  private static String benchmarkSection(RunResult result) {
    StringBuilder md = new StringBuilder("\n## Benchmark\n\n");
    md.append("| round | benchmark | answers | length score | scale | mean words | judge mean | report |\n");
    md.append("|---|---|---:|---:|---|---:|---:|---|\n");
    if (result.hasSeedEvaluation()) {
      md.append(benchmarkRow("seed model", result.getSeedEvaluation()));
    }
    for (RoundResult r : result.getRoundsList()) {
      if (r.hasEvaluation()) {
        md.append(benchmarkRow(Integer.toString(r.getRound()), r.getEvaluation()));
      }
    }
    result.getRoundsList().stream().filter(r -> r.hasEvaluation() && r.getEvaluation().hasQuality())
        .map(r -> r.getEvaluation().getQuality().getJudgeModel()).filter(m -> !m.isEmpty()).distinct()
        .forEach(m -> md.append("\nJudge model: `").append(m).append("`\n"));
    return md.toString();
  }

  private static String benchmarkRow(String label, EvalScores e) {
    String report = e.getReportFilesList().stream().filter(f -> f.endsWith(".md")).findFirst().orElse("");
    return String.format(Locale.ROOT, "| %s | %s | %d | %s | %s | %.1f | %s | `%s` |%n",
        label, e.getLength().getBenchmark(), e.getLength().getCount(),
        EvalReport.format(e.getLength().getOverall(), e.getLength().getScale()), e.getLength().getScale(),
        e.getLength().getMeanProducedWords(),
        e.hasQuality() ? String.format(Locale.ROOT, "%.2f", e.getQuality().getOverall()) : "-", report);
  }

  private static String markdown(
      RunSpec spec, RunResult result, Optional<LengthControlResult> lengthControl, List<String> files) {
    StringBuilder md = new StringBuilder();
    md.append("# Self-Lengthen run ").append(result.getRunId()).append("\n\n");
    md.append("Base model `").append(spec.getModels().getBaseModel()).append("`, language ")
        .append(spec.getLanguage().name().replace("LANGUAGE_", "").toLowerCase(Locale.ROOT))
        .append(", seed ").append(spec.getSeed()).append(", ").append(result.getRoundsCount())
        .append(result.getRoundsCount() == 1 ? " round" : " rounds").append(".\n\n");
    LengthStats seed = result.getSeedHeldOutLengths();
    md.append("## Held-out answers\n\n");
    md.append("The Generator answers the same ").append(seed.getCount())
        .append(" held-out instructions before the first round (the seed model) and after each round.\n\n");
    md.append("| model | mean words | median | min | max | capped (hit the token budget) |\n"
        + "|---|---:|---:|---:|---:|---:|\n");
    md.append(row("seed model", seed));
    for (RoundResult r : result.getRoundsList()) {
      md.append(row("round " + r.getRound(), r.getHeldOutLengths()));
    }
    md.append("\n## Rounds\n\n");
    md.append("| round | instructions made | responses kept | initial mean words | extended mean words"
        + " | extension acceptance | generator loss (first -> final) | extender loss (first -> final) |\n");
    md.append("|---:|---:|---:|---:|---:|---:|---|---|\n");
    for (RoundResult r : result.getRoundsList()) {
      md.append(String.format(Locale.ROOT, "| %d | %d | %d | %.1f | %.1f | %.1f%% | %.3f -> %.3f | %.3f -> %.3f |%n",
          r.getRound(), r.getInstructionsMade(), r.getResponsesKept(), r.getInitialLengths().getMeanWords(),
          r.getExtendedLengths().getMeanWords(), 100 * r.getExtensionAcceptance(),
          r.getGeneratorTraining().getFirstLoss(), r.getGeneratorTraining().getFinalLoss(),
          r.getExtenderTraining().getFirstLoss(), r.getExtenderTraining().getFinalLoss()));
    }
    if (result.hasSeedEvaluation() || result.getRoundsList().stream().anyMatch(RoundResult::hasEvaluation)) {
      md.append(benchmarkSection(result));
    }
    md.append("\n## Data\n\n");
    if (result.hasLongSet()) {
      md.append("- `").append(result.getLongSet().getPath()).append("`: ")
          .append(result.getLongSet().getCount()).append(" (query, response) pairs\n");
    }
    lengthControl.ifPresent(lc -> {
      md.append("- `").append(lc.getStage().getOutput().getPath()).append("`: ")
          .append(lc.getStage().getSamplesOut()).append(" length-controlled SFT rows (");
      List<String> parts = new ArrayList<>();
      lc.getPerTypeMap().entrySet().stream().sorted(Map.Entry.comparingByKey())
          .forEach(e -> parts.add(e.getKey() + " " + e.getValue()));
      md.append(String.join(", ", parts)).append(")\n");
      if (!lc.getModel().isEmpty()) {
        md.append(String.format(Locale.ROOT,
            "- length control: %d queries rewritten by `%s`, %d fell back to the appended limit%n",
            lc.getRewritten(), lc.getModel(), lc.getFallback()));
      }
      if (result.hasLengthControlTraining()) {
        TrainingResult t = result.getLengthControlTraining();
        md.append(String.format(Locale.ROOT, "- `%s`: the Generator trained on them (%d examples, loss %.3f -> %.3f)%n",
            t.getAdapter().getPath(), t.getExamples(), t.getFirstLoss(), t.getFinalLoss()));
      }
    });
    for (RoundResult r : result.getRoundsList()) {
      md.append("- round ").append(r.getRound()).append(" adapters: `")
          .append(r.getGeneratorTraining().getAdapter().getPath()).append("`, `")
          .append(r.getExtenderTraining().getAdapter().getPath()).append("`\n");
    }
    md.append("\n## Charts\n\n");
    for (String f : files) {
      if (f.endsWith(".png")) {
        String name = f.substring(f.lastIndexOf('/') + 1);
        md.append("![").append(name).append("](").append(name).append(")\n\n");
      }
    }
    return md.toString();
  }

  private static String row(String label, LengthStats s) {
    return String.format(Locale.ROOT, "| %s | %.1f | %.1f | %.0f | %.0f | %d of %d |%n",
        label, s.getMeanWords(), s.getMedianWords(), s.getMinWords(), s.getMaxWords(), s.getCapped(),
        s.getCount());
  }

  private static double mean(LengthStats s) {
    return s.getCount() == 0 ? Double.NaN : s.getMeanWords();
  }

  private static double[] nan(int n) {
    double[] a = new double[n];
    java.util.Arrays.fill(a, Double.NaN);
    return a;
  }

  private static String sha(byte[] bytes) {
    java.security.MessageDigest d = Checksums.newDigest();
    d.update(bytes);
    return Checksums.hex(d);
  }
}
