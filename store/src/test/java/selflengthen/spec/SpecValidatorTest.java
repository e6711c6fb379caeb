package selflengthen.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import selflengthen.v1.Evaluation;
import selflengthen.v1.LengthControl;
import selflengthen.v1.ModelRef;
import selflengthen.v1.Models;
import selflengthen.v1.Parallelism;
import selflengthen.v1.RunSpec;
import selflengthen.v1.Sampling;
import selflengthen.v1.SelfInstruct;

class SpecValidatorTest {
  @TempDir Path dir;
  private Path model;
  private Path seeds;

  @BeforeEach
  void files() throws IOException {
    model = Files.createDirectories(dir.resolve("model"));
    Files.writeString(model.resolve("config.json"), "{}");
    seeds = dir.resolve("seeds.jsonl");
    Files.write(seeds, IntStream.range(0, 30)
        .mapToObj(i -> "{\"prompt\":\"Write a long essay about topic " + i + ".\"}").toList());
  }

  private RunSpec.Builder good() {
    return RunSpec.newBuilder()
        .setRunId("run-1")
        .setDataRoot(dir.resolve("data").toString())
        .setModels(Models.newBuilder().setBaseModel(model.toString()))
        .setSelfInstruct(SelfInstruct.newBuilder().setSeedFile(seeds.toString()));
  }

  private static List<String> fields(RunSpec spec) {
    return SpecValidator.problems(SpecDefaults.resolve(spec)).stream()
        .map(SpecProblem::field).collect(Collectors.toList());
  }

  @Test
  void aGoodSpecPassesAndComesBackResolved() {
    RunSpec resolved = SpecValidator.validate(good().build());
    assertEquals(3, resolved.getRounds());
    assertEquals(model.toString(), resolved.getModels().getJudge().getPath());
  }

  @Test
  void anEvaluationDatasetIsCheckedRowByRowWithItsFormat() throws IOException {
    Path longen = dir.resolve("longen.jsonl");
    Files.write(longen, List.of(
        "{\"type\": \"about\", \"constraint\": \"about 2000 words\", \"query\": \"q\"}",
        "{\"type\": \"around\", \"constraint\": \"about 2000 words\", \"query\": \"q\"}"));
    RunSpec bad = good().setEvaluation(Evaluation.newBuilder().setDataset(longen.toString()).setFormat("longen")).build();
    SpecValidationException e = assertThrows(SpecValidationException.class, () -> SpecValidator.validate(bad));
    assertEquals(List.of("evaluation.dataset"), e.problems().stream().map(SpecProblem::field).toList());
    assertTrue(e.getMessage().contains(longen + " line 2: field 'type' must be one of"), e.getMessage());

    Files.write(longen, List.of("{\"type\": \"about\", \"constraint\": \"about 2000 words\", \"query\": \"q\"}"));
    RunSpec resolved = SpecValidator.validate(bad);
    assertEquals(resolved.getMeasurement().getSampling(), resolved.getEvaluation().getSampling());
    assertEquals(false, resolved.getEvaluation().getJudge());
    assertEquals(3, resolved.getEvaluation().getJudgeAttempts());

    assertEquals(List.of("evaluation.format"),
        fields(good().setEvaluation(Evaluation.newBuilder().setDataset(longen.toString()).setFormat("lonjen")).build()));
    assertEquals(List.of("evaluation.format"),
        fields(good().setEvaluation(Evaluation.newBuilder().setDataset(longen.toString())).build()));
    assertEquals(List.of("evaluation.dataset"),
        fields(good().setEvaluation(Evaluation.newBuilder().setDataset(dir.resolve("absent.jsonl").toString())
            .setFormat("longbench-write")).build()));
    assertEquals(List.of("evaluation.dataset"),
        fields(good().setEvaluation(Evaluation.newBuilder().setFormat("longen")).build()));
    // Without a benchmark file the resolved spec carries no evaluation at all.
    assertTrue(!SpecValidator.validate(good().build()).hasEvaluation());
  }

  @Test
  void threeBadFieldsAreAllNamedInOneMessage() {
    RunSpec bad = good()
        .setRunId("")
        .setRounds(0)
        .setSampling(Sampling.newBuilder().setTopP(1.5f))
        .build();
    SpecValidationException e = assertThrows(SpecValidationException.class, () -> SpecValidator.validate(bad));
    assertEquals(List.of("run_id", "rounds", "sampling.top_p"),
        e.problems().stream().map(SpecProblem::field).toList());
    assertTrue(e.getMessage().startsWith("invalid run spec (3 problems): "), e.getMessage());
    assertTrue(e.getMessage().contains("run_id: missing"), e.getMessage());
    assertTrue(e.getMessage().contains("rounds: must be at least 1 (got 0)"), e.getMessage());
    assertTrue(e.getMessage().contains("sampling.top_p: must be in (0, 1] (got 1.5)"), e.getMessage());
    assertEquals(1, e.getMessage().lines().count(), "one line");
  }

  @Test
  void queuedShardsMayBeZeroButNotBeyondTheWorkflowsBound() {
    assertEquals(List.of(), fields(good().setParallelism(Parallelism.newBuilder().setQueuedShards(0)).build()));
    assertEquals(List.of(), fields(good().setParallelism(Parallelism.newBuilder().setQueuedShards(1024)).build()));
    assertEquals(List.of("parallelism.queued_shards"),
        fields(good().setParallelism(Parallelism.newBuilder().setQueuedShards(1025)).build()));
  }

  @Test
  void aZeroHeartbeatTimeoutIsRefusedAndAnUnsetOneIsNotRequired() {
    assertEquals(List.of(), fields(good().build()));
    assertEquals(List.of(), fields(good().setParallelism(Parallelism.newBuilder().setInferenceHeartbeatSeconds(2)).build()));
    assertEquals(List.of("parallelism.inference_heartbeat_seconds"),
        fields(good().setParallelism(Parallelism.newBuilder().setInferenceHeartbeatSeconds(0)).build()));
  }

  @Test
  void everyDocumentedProblemIsFound() {
    RunSpec bad = good()
        .setRunId("../etc")
        .setSampling(Sampling.newBuilder().setTemperature(-0.1f).setTopP(0f).setRepetitionPenalty(0f))
        .setLengthControl(LengthControl.newBuilder().setShareAbout(0.5f))
        .setParallelism(Parallelism.newBuilder().setStragglerFraction(0f))
        .setModels(Models.newBuilder().setBaseModel(dir.resolve("no-such-model").toString())
            .setGenerator(ModelRef.newBuilder().setAdapter("runs/../../outside")))
        .setSelfInstruct(SelfInstruct.newBuilder().setSeedFile(dir.resolve("missing.jsonl").toString()))
        .build();
    List<String> fields = fields(bad);
    assertEquals(List.of(
        "run_id",
        "sampling.temperature",
        "sampling.top_p",
        "sampling.repetition_penalty",
        "models.generator.adapter",
        "parallelism.straggler_fraction",
        "length_control",
        "models.base_model",
        "models.generator.adapter",
        "self_instruct.seed_file"), fields);
  }

  @Test
  void aStageSamplingValueIsReportedOnlyWhereItWasSet() {
    RunSpec bad = good()
        .setSampling(Sampling.newBuilder().setTemperature(-1f))
        .setSelfInstruct(SelfInstruct.newBuilder().setSeedFile(seeds.toString())
            .setSampling(Sampling.newBuilder().setTopP(2f)))
        .build();
    assertEquals(List.of("sampling.temperature", "self_instruct.sampling.top_p"), fields(bad));
  }

  @Test
  void missingRequiredFieldsAreNamed() {
    assertEquals(List.of("run_id", "models.base_model", "self_instruct.seed_file"),
        fields(RunSpec.getDefaultInstance()));
  }

  @Test
  void baseModelIsOptionalWhenEveryRoleHasItsOwn() {
    ModelRef remote = ModelRef.newBuilder().setEndpoint("http://127.0.0.1:8000/v1").setModelName("m").build();
    RunSpec spec = good().setModels(Models.newBuilder().setGenerator(remote).setExtender(remote)).build();
    assertEquals(List.of(), fields(spec));
    RunSpec noName = good().setModels(Models.newBuilder()
        .setGenerator(ModelRef.newBuilder().setEndpoint("ftp://x")).setExtender(remote)).build();
    assertEquals(List.of("models.generator.endpoint", "models.generator.model_name",
        "models.judge.endpoint", "models.judge.model_name"), fields(noName));
  }

  @Test
  void aDirectoryWithoutConfigIsNotACheckpoint() throws IOException {
    Path empty = Files.createDirectories(dir.resolve("empty"));
    List<SpecProblem> problems = SpecValidator.problems(SpecDefaults.resolve(
        good().setModels(Models.newBuilder().setBaseModel(empty.toString())).build()));
    assertEquals(1, problems.size());
    assertTrue(problems.get(0).message().contains("no config.json"), problems.toString());
  }

  @Test
  void holdingOutEverySeedIsRefused() throws IOException {
    Files.write(seeds, List.of("{\"prompt\":\"a\"}", "{\"query\":\"b\"}", "{\"instruction\":\"c\"}"));
    // By default the measured seeds stay in the pool: nothing to refuse.
    assertEquals(List.of(), fields(good().build()));
    RunSpec.Builder holding = good();
    holding.getMeasurementBuilder().setHoldOutSeeds(true);
    assertEquals(List.of("measurement.held_out_count"), fields(holding.build()));
    Files.write(seeds, List.of("{\"prompt\":\"a\"}", "{\"text\":\"b\"}"));
    assertEquals(List.of("self_instruct.seed_file"), fields(good().build()));
  }

  @Test
  void sharesSummingToOneAndStragglerBoundsPass() {
    RunSpec spec = good()
        .setLengthControl(LengthControl.newBuilder().setShareAbout(0.5f).setShareRange(0.2f)
            .setShareAbove(0.1f).setShareBelow(0.2f))
        .setParallelism(Parallelism.newBuilder().setStragglerFraction(1f))
        .build();
    assertEquals(List.of(), fields(spec));
  }

  @Test
  void structuralChecksTouchNoFiles() {
    RunSpec spec = SpecDefaults.resolve(good()
        .setModels(Models.newBuilder().setBaseModel("/nowhere"))
        .setSelfInstruct(SelfInstruct.newBuilder().setSeedFile("/nowhere.jsonl")).build());
    assertEquals(List.of(), SpecValidator.structuralProblems(spec));
    assertEquals(2, SpecValidator.fileProblems(spec).size());
  }

  @Test
  void runIdsMustBeSafeForPaths() {
    assertTrue(SpecValidator.isSafeRunId("r1.2_a-b"));
    for (String bad : List.of("", "a/b", ".hidden", "..", "a b", "x".repeat(129), "é")) {
      assertEquals(false, SpecValidator.isSafeRunId(bad), bad);
    }
  }

  @Test
  void maxConcurrentShardsHasTheBoundOfSetParallelism() {
    assertEquals(List.of(), fields(good().setParallelism(Parallelism.newBuilder().setMaxConcurrentShards(1024)).build()));
    assertEquals(List.of("parallelism.max_concurrent_shards"),
        fields(good().setParallelism(Parallelism.newBuilder().setMaxConcurrentShards(100_000)).build()));
  }

  @Test
  void relativePathsAreRefusedInEveryDoor() {
    RunSpec spec = good().setDataRoot("../../x")
        .setSelfInstruct(SelfInstruct.newBuilder().setSeedFile("seeds.jsonl")).build();
    List<SpecProblem> problems = SpecValidator.structuralProblems(SpecDefaults.resolve(spec));
    assertEquals(List.of("data_root", "self_instruct.seed_file"),
        problems.stream().map(SpecProblem::field).toList(), problems.toString());
    assertTrue(problems.get(0).message().contains("relative path"), problems.toString());
  }

  @Test
  void seedFileProblemsSayWhy() throws IOException {
    Files.write(seeds, new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, '{', '}'});
    assertTrue(SpecValidator.fileProblems(SpecDefaults.resolve(good().build())).toString().contains("byte-order mark"));
    Files.write(seeds, new byte[] {'{', (byte) 0xFF, '}'});
    assertTrue(SpecValidator.fileProblems(SpecDefaults.resolve(good().build())).toString().contains("not UTF-8 text"));
    RunSpec dirSeed = good().setSelfInstruct(SelfInstruct.newBuilder().setSeedFile(dir.toString())).build();
    assertTrue(SpecValidator.fileProblems(SpecDefaults.resolve(dirSeed)).toString().contains("is a directory"));
  }

  @Test
  void anUnwritableDataRootIsFoundWithoutCreatingIt() throws IOException {
    Path locked = Files.createDirectories(dir.resolve("locked"));
    assertTrue(locked.toFile().setWritable(false));
    try {
      if (Files.isWritable(locked)) {
        return; // running as root: permissions do not apply
      }
      RunSpec spec = good().setDataRoot(locked.resolve("data").toString()).build();
      List<SpecProblem> problems = SpecValidator.fileProblems(SpecDefaults.resolve(spec));
      assertEquals("data_root", problems.get(0).field(), problems.toString());
      assertTrue(problems.get(0).message().contains("is not writable"), problems.toString());
      assertTrue(!Files.exists(locked.resolve("data")));
    } finally {
      locked.toFile().setWritable(true);
    }
  }
}
