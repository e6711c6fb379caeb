package selflengthen.activities.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Message;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import selflengthen.activities.Roles;
import selflengthen.activities.RunPaths;
import selflengthen.activities.Stages;
import selflengthen.activities.support.RecordedResults;
import selflengthen.store.DataStore;
import selflengthen.store.Lineage;
import selflengthen.store.Producer;
import selflengthen.v1.AdapterRef;
import selflengthen.v1.BuiltTrainingSets;
import selflengthen.v1.MergedStage;
import selflengthen.v1.RunSpec;
import selflengthen.v1.RunState;
import selflengthen.v1.StageResult;
import selflengthen.v1.TrainingResult;

/** A run's state rebuilt from a store where round 1 finished: which adapters the next round starts from. */
class RunRecoveryTest {
  static final String RUN = "rec";

  @TempDir Path tmp;
  DataStore store;
  RunSpec spec;

  @BeforeEach
  void setUp() {
    store = DataStore.open(tmp.resolve("data"));
    spec = RunSpec.newBuilder().setRunId(RUN).setRounds(2).build();
  }

  @Test
  void aFinishedRoundWithoutDpoStartsTheNextFromItsSftAdapters() {
    recordRoundOne();
    RunState state = RunRecovery.recover(store, spec);
    assertEquals(2, state.getNextRound());
    assertEquals(RunPaths.adapterDir(RUN, 1, Roles.GENERATOR), state.getGeneratorAdapter().getPath());
    assertEquals(RunPaths.adapterDir(RUN, 1, Roles.EXTENDER), state.getExtenderAdapter().getPath());
    assertFalse(state.getRounds(0).hasDpoTraining());
  }

  @Test
  void aFinishedRoundWithDpoStartsTheNextFromItsDpoAdapterAndKeepsTheSftFigures() {
    recordRoundOne();
    String dpo = RunPaths.dpoAdapterDir(RUN, 1);
    record(dpo, true, training(dpo, 7));
    RunState state = RunRecovery.recover(store, spec);
    assertEquals(2, state.getNextRound());
    assertEquals(dpo, state.getGeneratorAdapter().getPath());
    assertEquals(RunPaths.adapterDir(RUN, 1, Roles.EXTENDER), state.getExtenderAdapter().getPath());
    var round = state.getRounds(0);
    assertEquals(dpo, round.getGeneratorTraining().getAdapter().getPath());
    assertEquals(3, round.getGeneratorTraining().getSteps(), "the SFT figures stay");
    assertEquals(7, round.getDpoTraining().getSteps());
    assertTrue(round.getStagesList().stream().anyMatch(s -> s.getName().equals(Stages.TRAIN_DPO)));
  }

  @Test
  void aRoundWithoutItsMeasurementIsNotFinishedWhateverItsDpo() {
    recordRoundOne();
    store.writeString(RunPaths.stageOutput(RUN, 1, Stages.MEASURE), "{}\n");
    String dpo = RunPaths.dpoAdapterDir(RUN, 1);
    record(dpo, true, training(dpo, 7));
    // The measurement's file changed after it was recorded: its record no longer matches.
    RunState state = RunRecovery.recover(store, spec);
    assertEquals(1, state.getNextRound());
    assertEquals(0, state.getRoundsCount());
  }

  private void recordRoundOne() {
    for (String stage : new String[] {Stages.SELF_INSTRUCT, Stages.RESPOND, Stages.EXTEND, Stages.MEASURE}) {
      record(RunPaths.stageOutput(RUN, 1, stage), false,
          MergedStage.newBuilder().setStage(StageResult.newBuilder().setSamplesOut(4)).build());
    }
    for (String stage : new String[] {Stages.DROP_SHORT, Stages.DROP_SHORT_EXTENDED}) {
      record(RunPaths.stageOutput(RUN, 1, stage), false, StageResult.newBuilder().setSamplesOut(3).build());
    }
    record(RunPaths.trainingSet(RUN, 1, Roles.GENERATOR), false, BuiltTrainingSets.getDefaultInstance());
    for (String role : new String[] {Roles.GENERATOR, Roles.EXTENDER}) {
      String dir = RunPaths.adapterDir(RUN, 1, role);
      record(dir, true, training(dir, 3));
    }
  }

  private static TrainingResult training(String adapter, int steps) {
    return TrainingResult.newBuilder()
        .setAdapter(AdapterRef.newBuilder().setPath(adapter))
        .setSteps(steps)
        .setExamples(5)
        .build();
  }

  private void record(String artifact, boolean directory, Message result) {
    store.writeString(directory ? artifact + "/adapter_config.json" : artifact, "{\"artifact\":\"" + artifact + "\"}\n");
    RecordedResults.record(store, artifact, 1, Lineage.of(new Producer("test", "test", null, 1)), result);
  }
}
