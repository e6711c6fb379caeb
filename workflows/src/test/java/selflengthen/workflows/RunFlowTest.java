package selflengthen.workflows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.common.converter.DataConverter;
import io.temporal.common.converter.DefaultDataConverter;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import selflengthen.activities.ActivityFailures;
import selflengthen.activities.Roles;
import selflengthen.activities.RunPaths;
import selflengthen.activities.Stages;
import selflengthen.v1.AdapterRef;
import selflengthen.v1.MergedStage;
import selflengthen.v1.RoundInput;
import selflengthen.v1.RoundResult;
import selflengthen.v1.RoundSettings;
import selflengthen.v1.DatasetRef;
import selflengthen.v1.RunResult;
import selflengthen.v1.RunSpec;
import selflengthen.v1.RunState;
import selflengthen.v1.StageResult;
import selflengthen.v1.TrainTask;

/** The run end to end against the activity doubles: order, ids, counts, continue-as-new, failures. */
@Tag("integration")
class RunFlowTest {
  /**
   * Set (-Dselflengthen.recordHistories=vN) to record the replay fixtures of the current workflow
   * code under src/test/resources/histories/vN after a deliberate, compatible change (a new folder:
   * the older ones stay and keep proving that runs started before the change still replay).
   */
  static final String RECORD = "selflengthen.recordHistories";

  @Test
  void twoRoundsRunTheStagesInMethodOrderWithDeterministicIds() throws IOException {
    try (TestRun t = new TestRun()) {
      RunSpec.Builder specBuilder = TestRun.spec("flow", 2, 6, 4);
      // The collection pass (4 more instructions) and length control's LLM rewrite, as resolved
      // specs have them by default.
      specBuilder.getCollectBuilder().setEnabled(true).setTotalCount(4);
      specBuilder.getLengthControlBuilder().setRewrite(true);
      RunSpec spec = specBuilder.build();
      // As a real prepare does: stage inputs carry the spec by reference (recorded from v6 on).
      t.control.specRef.set(selflengthen.v1.SpecRef.newBuilder().setDataRoot("/unused")
          .setPath("runs/flow/specs/" + "0".repeat(64) + ".json").setSha256("0".repeat(64)).build());
      String firstRunId = t.start(t.stub("flow"), spec);
      RunResult result = t.result("flow", RunResult.class);

      // Each round runs the method's stages in order (the two trainings may interleave).
      for (int k = 1; k <= 2; k++) {
        assertEquals(Stages.ROUND, stageOrder(t.log, "flow/round-" + k + "/"), "round " + k);
      }
      // Fan-out: 6 instructions in shards of 2, 12 responses, 9 kept after drop-short, 4 held out.
      assertEquals(3, t.log.started("flow/round-1/self_instruct/"));
      assertEquals(3, t.log.started("flow/round-1/respond/"));
      assertEquals(5, t.log.started("flow/round-1/extend/"));
      assertEquals(2, t.log.started("flow/round-1/measure/"));
      assertEquals(2, t.log.started("flow/round-0/measure/"));
      assertEquals(
          Set.of(
              "flow/round-2/extend/shard-0",
              "flow/round-2/extend/shard-1",
              "flow/round-2/extend/shard-2",
              "flow/round-2/extend/shard-3",
              "flow/round-2/extend/shard-4"),
          t.log.callsUnder("flow/round-2/extend/shard-").stream()
              .map(CallLog.Call::callId)
              .collect(Collectors.toSet()));
      // Shards of a round run in the round's child workflow, with deterministic ids and paths.
      for (CallLog.Call c : t.log.callsUnder("flow/round-2/")) {
        assertEquals("flow/round-2", c.workflowId(), c.callId());
      }
      for (CallLog.Call c : t.log.callsUnder("flow/round-0/")) {
        assertEquals("flow", c.workflowId(), c.callId());
      }
      assertEquals(
          List.of(
              "runs/flow/round-1/respond/shard-00000.jsonl",
              "runs/flow/round-1/respond/shard-00001.jsonl",
              "runs/flow/round-1/respond/shard-00002.jsonl"),
          t.log.merges.get("flow/round-1/respond").getFinishedList().stream()
              .map(s -> s.getOutput().getPath())
              .toList());
      assertEquals(2, t.log.maxInFlight("round-1/train"), "generator and extender train at once");
      // Java's SDK cannot set activity ids; the logical id is each activity's summary in the history.
      assertEquals(
          List.of("flow/round-2/measure/shard-0", "flow/round-2/measure/shard-1"),
          summaries(t, "flow/round-2", "MeasureShard"));

      // Continue-as-new after each round: round 1, round 2, then the closing execution.
      List<WorkflowExecutionHistory> executions = t.chain("flow", firstRunId);
      assertEquals(3, executions.size());
      assertEquals(
          EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED,
          executions.get(2).getLastEvent().getEventType());
      assertEquals(1, t.log.callsUnder("flow/round-0/prepare").size(), "prepared once, not per execution");

      // The result carries each round's summary figures from the activities.
      assertEquals(2, result.getRoundsCount());
      RoundResult r1 = result.getRounds(0);
      RoundResult r2 = result.getRounds(1);
      assertEquals(6, r1.getInstructionsMade());
      assertEquals(9, r1.getResponsesKept());
      assertEquals(1000, r1.getInitialLengths().getMeanWords());
      assertEquals(1800, r1.getExtendedLengths().getMeanWords());
      assertEquals(0.5, r1.getExtensionAcceptance());
      assertEquals(RunPaths.pool("flow", 1), r1.getInstructionPool().getPath());
      assertEquals(ScriptedControlActivities.SEED_POOL_ROWS + 6, r1.getInstructionPool().getCount());
      assertEquals(ScriptedControlActivities.SEED_POOL_ROWS + 12, r2.getInstructionPool().getCount());
      assertEquals(500, result.getSeedHeldOutLengths().getMeanWords());
      assertEquals(1100, r1.getHeldOutLengths().getMeanWords());
      assertEquals(1700, r2.getHeldOutLengths().getMeanWords());
      assertEquals(Stages.ROUND, r1.getStagesList().stream().map(StageResult::getName).toList());
      assertEquals(
          RunPaths.adapterDir("flow", 1, "generator"), r1.getGeneratorTraining().getAdapter().getPath());
      // Round 2 trains each role on from its round-1 adapter; round 1 starts fresh.
      assertEquals(r1.getGeneratorTraining().getAdapter(), previousAdapter(t, 2, "generator"));
      assertEquals(r1.getExtenderTraining().getAdapter(), previousAdapter(t, 2, "extender"));
      assertFalse(train(t, 1, "generator").hasPrevious());
      // Round 2 self-instructs from round 1's pool.
      assertEquals(
          r1.getInstructionPool(),
          t.log.merges.get("flow/round-2/self_instruct").getPool());
      // After the rounds: the collection pass (self-instruct + responses + drop-short, round 0).
      assertEquals(2, t.log.started("flow/round-0/collect_self_instruct/"));
      assertTrue(t.log.started("flow/round-0/collect_respond/") > 0);
      // long.jsonl: both rounds' initial (after drop-short) and extended responses, and the pass's.
      assertEquals(1, t.log.collects.size());
      assertEquals(
          List.of(
              RunPaths.stageOutput("flow", 1, Stages.DROP_SHORT),
              RunPaths.stageOutput("flow", 1, Stages.DROP_SHORT_EXTENDED),
              RunPaths.stageOutput("flow", 2, Stages.DROP_SHORT),
              RunPaths.stageOutput("flow", 2, Stages.DROP_SHORT_EXTENDED),
              RunPaths.stageOutput("flow", 0, Stages.COLLECT_DROP_SHORT)),
          t.log.collects.get(0).getSourcesList().stream().map(DatasetRef::getPath).toList());
      assertEquals(RunPaths.longSet("flow"), result.getLongSet().getPath());
      long pass = t.log.collects.get(0).getSources(4).getCount();
      assertTrue(pass > 0);
      assertEquals(32 + pass, result.getLongSet().getCount(), "9 initial + 7 extended per round, and the pass's");
      // Length control: plan, the sharded rewrite, the set from the rewritten rows.
      assertEquals(2, t.log.lengthControls.size());
      assertEquals(RunPaths.lengthControlPlan("flow"), t.log.lengthControls.get(0).getPlanOutputPath());
      assertTrue(t.log.started("flow/round-0/length_control_rewrite/") > 0);
      long planned = (32 + pass) * 4 / 5;
      assertEquals(planned, t.log.lengthControls.get(1).getRewritten().getCount());
      assertEquals(planned, result.getLengthControlSet().getCount());
      // After the rounds, SFT: the Generator, fresh from its model, on the length-controlled set.
      TrainTask last = t.log.trainTasks.get(t.log.trainTasks.size() - 1);
      assertEquals("flow/round-0/" + Stages.TRAIN_LENGTH_CONTROL, last.getContext().getCallId());
      assertEquals(Roles.GENERATOR, last.getRole());
      assertEquals(result.getLengthControlSet(), last.getTrainingSet());
      assertFalse(last.hasPrevious());
      assertEquals(RunPaths.lengthControlAdapter("flow"), result.getLengthControlTraining().getAdapter().getPath());
      assertEquals(planned, result.getLengthControlTraining().getExamples());
      assertEquals(List.of("runs/flow/report/report.md", "runs/flow/report/report.json"), result.getReportFilesList());

      if (System.getProperty(RECORD) != null) {
        record(t, executions, System.getProperty(RECORD));
      }
    }
  }

  @Test
  void stageInputsCarryTheSpecByReferenceOncePrepareWroteItsFile() {
    try (TestRun t = new TestRun()) {
      selflengthen.v1.SpecRef ref = selflengthen.v1.SpecRef.newBuilder()
          .setDataRoot("/unused").setPath("runs/byref/specs/" + "a".repeat(64) + ".json").setSha256("a".repeat(64))
          .build();
      t.control.specRef.set(ref);
      // Two rounds: the reference is carried through the run's continue-as-new too.
      t.start(t.stub("byref"), TestRun.spec("byref", 2, 4, 2).build());
      t.result("byref", RunResult.class);
      // Seed measurement (round 0) and both rounds' shards; training and the final steps too.
      assertEquals(Set.of(0, 1, 2), t.log.shardContexts.stream().map(c -> c.getRound()).collect(Collectors.toSet()));
      for (selflengthen.v1.StageContext c : t.log.shardContexts) {
        assertEquals(ref, c.getSpecRef(), c.getCallId());
        assertFalse(c.hasSpec(), c.getCallId() + " carries the spec as well");
      }
      assertFalse(t.log.trainTasks.isEmpty());
      assertTrue(t.log.trainTasks.stream().allMatch(x -> x.getContext().getSpecRef().equals(ref)
          && !x.getContext().hasSpec()));
      assertTrue(t.log.merges.values().stream().allMatch(m -> m.getContext().getSpecRef().equals(ref)));
    }
  }

  @Test
  void withoutAReferenceTheSpecTravelsInline() {
    try (TestRun t = new TestRun()) {
      RunSpec spec = TestRun.spec("inline", 1, 4, 2).build();
      t.start(t.stub("inline"), spec);
      t.result("inline", RunResult.class);
      assertFalse(t.log.shardContexts.isEmpty());
      for (selflengthen.v1.StageContext c : t.log.shardContexts) {
        assertEquals(spec, c.getSpec(), c.getCallId());
        assertFalse(c.hasSpecRef());
      }
    }
  }

  @Test
  void theFinalSftIsLeftOutWhenTheSpecSaysSo() {
    try (TestRun t = new TestRun()) {
      RunSpec.Builder spec = TestRun.spec("nofinal", 1, 4, 2);
      spec.getLengthControlBuilder().setTrain(false);
      t.start(t.stub("nofinal"), spec.build());
      RunResult result = t.result("nofinal", RunResult.class);
      assertTrue(result.hasLengthControlSet());
      assertFalse(result.hasLengthControlTraining());
      assertEquals(List.of(1), t.log.trainTasks.stream().map(x -> x.getContext().getRound()).distinct().toList());
    }
  }

  @Test
  void invalidSpecFailsTheRunAtOnceWithTheMessage() {
    try (TestRun t = new TestRun()) {
      t.control.prepareFailure.set("rounds: must be at least 1, got 0");
      long started = System.nanoTime();
      t.start(t.stub("bad"), TestRun.spec("bad", 0, 6, 4).build());
      WorkflowFailedException e =
          assertThrows(WorkflowFailedException.class, () -> t.result("bad", RunResult.class));
      ApplicationFailure cause = assertInstanceOf(ApplicationFailure.class, e.getCause());
      assertEquals(ActivityFailures.SPEC_VALIDATION, cause.getType());
      assertEquals("rounds: must be at least 1, got 0", cause.getOriginalMessage());
      assertEquals(List.of(1), t.log.attempts("bad/round-0/prepare"), "not retried");
      assertEquals(1, t.log.calls.size(), "nothing else ran");
      assertTrue(Duration.ofNanos(System.nanoTime() - started).toSeconds() < 5);
    }
  }

  @Test
  void aShardThatFailsItsFirstAttemptIsRetriedAndTheRunCompletes() {
    try (TestRun t = new TestRun()) {
      t.log.behaviors.put("retry/round-1/respond/shard-1", CallLog.Behavior.FAIL_FIRST_ATTEMPT);
      t.start(t.stub("retry"), TestRun.spec("retry", 1, 6, 4).build());
      RunResult result = t.result("retry", RunResult.class);
      assertEquals(List.of(1, 2), t.log.attempts("retry/round-1/respond/shard-1"));
      StageResult respond = stage(result.getRounds(0), Stages.RESPOND);
      assertEquals(12, respond.getSamplesOut(), "the retried shard's rows are merged");
      assertEquals(3, respond.getShardsCount());
    }
  }

  @Test
  void aResumedRunSkipsTheRoundsTheStoreRecordsAsDone() {
    try (TestRun t = new TestRun()) {
      AdapterRef gen = AdapterRef.newBuilder().setPath("runs/res/round-1/train_generator/adapter").setRole("generator").setRound(1).build();
      AdapterRef ext = AdapterRef.newBuilder().setPath("runs/res/round-1/train_extender/adapter").setRole("extender").setRound(1).build();
      RoundResult round1 = RoundResult.newBuilder().setRound(1).setInstructionsMade(6).build();
      t.control.recovered.set(
          RunState.newBuilder()
              .setNextRound(2)
              .addRounds(round1)
              .setGeneratorAdapter(gen)
              .setExtenderAdapter(ext)
              .setInstructionPool(Refs.dataset(RunPaths.pool("res", 1), 24))
              .setSeedHeldOutLengths(Refs.lengths(4, 500))
              .build());
      t.start(t.stub("res"), TestRun.spec("res", 2, 6, 4).build());
      RunResult result = t.result("res", RunResult.class);
      assertTrue(t.log.callsUnder("res/round-1/").isEmpty());
      assertTrue(t.log.callsUnder("res/round-0/measure").isEmpty(), "seed figure recovered");
      assertEquals(List.of(1, 2), result.getRoundsList().stream().map(RoundResult::getRound).toList());
      assertEquals(gen, previousAdapter(t, 2, "generator"));
      assertEquals(ext, previousAdapter(t, 2, "extender"));
      assertEquals(24, t.log.merges.get("res/round-2/self_instruct").getPool().getCount());
    }
  }

  @Test
  void aStageTheStoreHoldsCompleteIsSkipped() {
    try (TestRun t = new TestRun()) {
      MergedStage done =
          MergedStage.newBuilder()
              .setStage(
                  StageResult.newBuilder()
                      .setOutput(Refs.dataset(RunPaths.stageOutput("skip", 1, Stages.SELF_INSTRUCT), 4))
                      .setSamplesOut(4)
                      .setLengths(Refs.lengths(4, 40)))
              .setPool(Refs.dataset(RunPaths.pool("skip", 1), 22))
              .build();
      t.control.completedStages.put("skip/round-1/self_instruct", done);
      t.start(t.stub("skip"), TestRun.spec("skip", 1, 6, 4).build());
      RunResult result = t.result("skip", RunResult.class);
      assertEquals(0, t.log.started("skip/round-1/self_instruct/"));
      assertEquals(2, t.log.started("skip/round-1/respond/"), "respond reads the recorded 4 instructions");
      StageResult si = stage(result.getRounds(0), Stages.SELF_INSTRUCT);
      assertTrue(si.getSkipped());
      assertEquals(4, result.getRounds(0).getInstructionsMade());
      assertEquals(22, result.getRounds(0).getInstructionPool().getCount());
    }
  }

  @Test
  void aLongRoundContinuesAsNewAtStageBoundariesAndFinishesTheSame() {
    try (TestRun t = new TestRun()) {
      RunSpec spec = TestRun.spec("solo", 1, 6, 4).build();
      RoundInput input =
          RoundInput.newBuilder()
              .setSpec(spec)
              .setRound(1)
              .setInstructionPool(Refs.dataset(RunPaths.seedPool("solo"), 18))
              .setHeldOut(Refs.dataset(RunPaths.heldOut("solo"), 4))
              .setSettings(RoundSettings.newBuilder().setMaxConcurrentShards(3))
              .setHistoryLimit(1)
              .build();
      SelfLengthenRound round =
          t.client.newWorkflowStub(
              SelfLengthenRound.class,
              WorkflowOptions.newBuilder()
                  .setWorkflowId("solo/round-1")
                  .setTaskQueue(TaskQueues.CONTROL)
                  .setWorkflowExecutionTimeout(Duration.ofSeconds(60))
                  .build());
      String firstRunId = WorkflowClient.start(round::run, input).getRunId();
      RoundResult r = WorkflowStub.fromTyped(round).getResult(RoundResult.class);
      assertEquals(Stages.ROUND, r.getStagesList().stream().map(StageResult::getName).toList());
      assertEquals(9, r.getResponsesKept());
      assertEquals(1100, r.getHeldOutLengths().getMeanWords());
      // One execution per step (the two trainings are one step): 8 executions, 7 continue-as-new.
      assertEquals(8, t.chain("solo/round-1", firstRunId).size());
      // No stage ran twice across the executions.
      for (String stage : Set.of(Stages.SELF_INSTRUCT, Stages.RESPOND, Stages.EXTEND, Stages.MEASURE)) {
        assertEquals(1, t.log.calls.stream().filter(c -> c.kind().equals("plan") && c.callId().equals("solo/round-1/" + stage)).count(), stage);
      }
    }
  }

  private static List<String> summaries(TestRun t, String workflowId, String activityType) {
    DataConverter json = DefaultDataConverter.STANDARD_INSTANCE;
    return t.client.fetchHistory(workflowId).getEvents().stream()
        .filter(HistoryEvent::hasActivityTaskScheduledEventAttributes)
        .filter(e -> e.getActivityTaskScheduledEventAttributes().getActivityType().getName().equals(activityType))
        .map(e -> json.fromPayload(e.getUserMetadata().getSummary(), String.class, String.class))
        .toList();
  }

  private static StageResult stage(RoundResult r, String name) {
    return r.getStagesList().stream().filter(s -> s.getName().equals(name)).findFirst().orElseThrow();
  }

  private static TrainTask train(TestRun t, int round, String role) {
    return t.log.trainTasks.stream()
        .filter(x -> x.getContext().getRound() == round && x.getRole().equals(role))
        .findFirst()
        .orElseThrow();
  }

  private static AdapterRef previousAdapter(TestRun t, int round, String role) {
    return train(t, round, role).getPrevious();
  }

  /** Stage names in the order their first call appeared, the two trainings in method order. */
  static List<String> stageOrder(CallLog log, String prefix) {
    List<String> order = new ArrayList<>();
    for (CallLog.Call c : log.callsUnder(prefix)) {
      String stage = c.callId().substring(prefix.length()).split("/")[0];
      if (!order.contains(stage)) {
        order.add(stage);
      }
    }
    int g = order.indexOf(Stages.TRAIN_GENERATOR);
    int e = order.indexOf(Stages.TRAIN_EXTENDER);
    if (g >= 0 && e >= 0 && e < g) {
      order.set(e, Stages.TRAIN_GENERATOR);
      order.set(g, Stages.TRAIN_EXTENDER);
    }
    return order;
  }

  /** Writes the run's executions and its round children as replay fixtures. */
  private static void record(TestRun t, List<WorkflowExecutionHistory> executions, String version)
      throws IOException {
    Path dir = Path.of("src/test/resources/histories", version);
    Files.createDirectories(dir);
    for (int i = 0; i < executions.size(); i++) {
      Files.writeString(dir.resolve("run-execution-" + (i + 1) + ".json"), executions.get(i).toJson(true));
    }
    for (int k = 1; k <= 2; k++) {
      Files.writeString(
          dir.resolve("round-" + k + ".json"), t.client.fetchHistory("flow/round-" + k).toJson(true));
    }
  }

}
