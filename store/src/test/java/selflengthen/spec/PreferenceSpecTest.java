package selflengthen.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import selflengthen.method.preference.PreferenceSpecs;
import selflengthen.v1.Dpo;
import selflengthen.v1.DpoWhen;
import selflengthen.v1.GenerationMode;
import selflengthen.v1.GenerationSettings;
import selflengthen.v1.PairOptions;
import selflengthen.v1.Preference;
import selflengthen.v1.PreferenceMethod;
import selflengthen.v1.RejectedSource;
import selflengthen.v1.RunSpec;
import selflengthen.v1.TrainMethod;
import selflengthen.v1.Training;

/** The preference stage's, the pairs' and the generation mode's fields: off by default, checked. */
class PreferenceSpecTest {
  private static RunSpec.Builder spec() {
    return RunSpec.newBuilder().setRunId("r").setModels(selflengthen.v1.Models.newBuilder().setBaseModel("/m"))
        .setSelfInstruct(selflengthen.v1.SelfInstruct.newBuilder().setSeedFile("/s.jsonl"));
  }

  private static List<SpecProblem> problems(RunSpec spec) {
    return SpecValidator.structuralProblems(SpecDefaults.resolve(spec));
  }

  @Test
  void everythingIsOffByDefault() {
    RunSpec r = SpecDefaults.resolve(spec().build());
    assertEquals(PreferenceMethod.PREFERENCE_METHOD_NONE, r.getTraining().getPreference());
    assertEquals(0.1f, r.getTraining().getDpo().getBeta());
    assertEquals(DpoWhen.DPO_WHEN_EACH_ROUND, r.getTraining().getDpo().getWhen());
    assertEquals(1f, r.getTraining().getDpo().getEpochs());
    assertEquals(5e-6f, r.getTraining().getDpo().getLearningRate());
    assertEquals(RejectedSource.REJECTED_SOURCE_START, r.getPreference().getPairs().getRejected());
    assertFalse(r.getPreference().getPairs().getSuriPairs());
    assertFalse(r.getPreference().getPairs().getWrite());
    assertEquals(2, r.getPreference().getPairs().getMaxPerKind());
    assertEquals(GenerationMode.GENERATION_MODE_SELF_LENGTHEN, r.getGeneration().getMode());
    assertTrue(problems(spec().build()).isEmpty(), problems(spec().build()).toString());
  }

  @Test
  void setValuesStay() {
    RunSpec r = SpecDefaults.resolve(spec()
        .setTraining(Training.newBuilder().setPreference(PreferenceMethod.PREFERENCE_METHOD_DPO)
            .setDpo(Dpo.newBuilder().setBeta(0.5f).setWhen(DpoWhen.DPO_WHEN_LAST_ROUND)))
        .setPreference(Preference.newBuilder().setPairs(PairOptions.newBuilder()
            .setRejected(RejectedSource.REJECTED_SOURCE_SHORTER_STEP).setSuriPairs(true)))
        .setGeneration(GenerationSettings.newBuilder().setMode(GenerationMode.GENERATION_MODE_AGENTWRITE))
        .build());
    assertEquals(0.5f, r.getTraining().getDpo().getBeta());
    assertEquals(DpoWhen.DPO_WHEN_LAST_ROUND, r.getTraining().getDpo().getWhen());
    assertEquals(RejectedSource.REJECTED_SOURCE_SHORTER_STEP, r.getPreference().getPairs().getRejected());
    assertTrue(r.getPreference().getPairs().getSuriPairs());
    assertEquals(GenerationMode.GENERATION_MODE_AGENTWRITE, r.getGeneration().getMode());
    assertEquals(r, SpecDefaults.resolve(r));
    assertTrue(problems(r).isEmpty(), problems(r).toString());
  }

  @Test
  void badValuesAreNamedOneLineEach() {
    RunSpec bad = spec()
        .setTraining(Training.newBuilder().setMethod(TrainMethod.TRAIN_METHOD_FULL)
            .setPreference(PreferenceMethod.PREFERENCE_METHOD_DPO)
            .setDpo(Dpo.newBuilder().setBeta(0f).setEpochs(-1f).setLearningRate(Float.NaN).setWhenValue(9)))
        .setPreference(Preference.newBuilder().setPairs(PairOptions.newBuilder().setRejectedValue(7).setMaxPerKind(0)))
        .setGeneration(GenerationSettings.newBuilder().setModeValue(5))
        .build();
    List<SpecProblem> problems = problems(bad);
    List<String> fields = problems.stream().map(SpecProblem::field).toList();
    assertEquals(List.of("training.dpo.beta", "training.dpo.when", "training.dpo.epochs",
        "training.dpo.learning_rate", "training.preference", "preference.pairs.rejected",
        "preference.pairs.max_per_kind", "generation.mode"), fields, problems.toString());
    assertTrue(problems.get(4).message().contains("TRAIN_METHOD_LORA"), problems.get(4).message());
    RunSpec unknown = spec().setTraining(Training.newBuilder().setPreferenceValue(8)).build();
    assertEquals("training.preference", problems(unknown).get(0).field());
  }

  @Test
  void preferenceSpecsSayWhichStepsRun() {
    RunSpec off = SpecDefaults.resolve(spec().build());
    assertFalse(PreferenceSpecs.writesPairs(off));
    assertFalse(PreferenceSpecs.dpoAfterRound(off, 1));
    assertFalse(PreferenceSpecs.needsTrace(off));
    assertFalse(PreferenceSpecs.agentWrite(off));
    assertEquals(selflengthen.method.preference.PreferenceOptions.defaults(), PreferenceSpecs.options(off));

    RunSpec each = SpecDefaults.resolve(spec().setRounds(3)
        .setTraining(Training.newBuilder().setPreference(PreferenceMethod.PREFERENCE_METHOD_DPO)).build());
    assertTrue(PreferenceSpecs.writesPairs(each));
    assertTrue(PreferenceSpecs.dpoAfterRound(each, 1) && PreferenceSpecs.dpoAfterRound(each, 3));
    RunSpec last = each.toBuilder().setTraining(each.getTraining().toBuilder()
        .setDpo(each.getTraining().getDpo().toBuilder().setWhen(DpoWhen.DPO_WHEN_LAST_ROUND))).build();
    assertFalse(PreferenceSpecs.dpoAfterRound(last, 2));
    assertTrue(PreferenceSpecs.dpoAfterRound(last, 3));

    RunSpec written = SpecDefaults.resolve(spec().setPreference(Preference.newBuilder().setPairs(
        PairOptions.newBuilder().setWrite(true).setRejected(RejectedSource.REJECTED_SOURCE_SHORTER_STEP)
            .setSuriPairs(true).setMaxPerKind(3))).build());
    assertTrue(PreferenceSpecs.writesPairs(written));
    assertFalse(PreferenceSpecs.dpoAfterRound(written, 1));
    assertTrue(PreferenceSpecs.needsTrace(written));
    assertEquals(new selflengthen.method.preference.PreferenceOptions(false, true, true, 3),
        PreferenceSpecs.options(written));
  }
}
