package selflengthen.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import selflengthen.v1.Language;
import selflengthen.v1.ModelRef;
import selflengthen.v1.Models;
import selflengthen.v1.RunSpec;
import selflengthen.v1.Sampling;
import selflengthen.v1.SelfInstruct;
import selflengthen.v1.TrainMethod;
import selflengthen.v1.Training;

class SpecDefaultsTest {
  /** Optional fields left unset, found by walking the descriptors: resolve must leave none. */
  private static List<String> unsetOptionalFields(Message m, String at) {
    List<String> unset = new ArrayList<>();
    for (FieldDescriptor f : m.getDescriptorForType().getFields()) {
      String path = at.isEmpty() ? f.getName() : at + "." + f.getName();
      if (f.getJavaType() == FieldDescriptor.JavaType.MESSAGE && !f.isRepeated() && !f.isMapField()) {
        unset.addAll(unsetOptionalFields((Message) m.getField(f), path));
      } else if (f.hasPresence() && !m.hasField(f)) {
        unset.add(path);
      }
    }
    return unset;
  }

  @Test
  void resolveLeavesNoOptionalFieldUnset() {
    RunSpec resolved = SpecDefaults.resolve(RunSpec.getDefaultInstance());
    // The evaluation block is resolved only when it names a benchmark file (runs without one keep
    // the spec they had before it existed).
    assertTrue(!resolved.hasEvaluation());
    assertEquals(List.of(), unsetOptionalFields(resolved, "").stream().filter(f -> !f.startsWith("evaluation.")).toList());
    RunSpec evaluating = SpecDefaults.resolve(RunSpec.newBuilder()
        .setEvaluation(selflengthen.v1.Evaluation.newBuilder().setDataset("longen.jsonl")).build());
    assertEquals(List.of(), unsetOptionalFields(evaluating, ""));
  }

  @Test
  void resolveFillsTheReferenceDefaults() {
    RunSpec r = SpecDefaults.resolve(RunSpec.newBuilder().setModels(Models.newBuilder().setBaseModel("/m")).build());
    assertEquals("", r.getDataRoot(), "unset: the worker's configured data root");
    assertEquals(Language.LANGUAGE_EN, r.getLanguage());
    assertEquals(42, r.getSeed());
    assertEquals(3, r.getRounds());
    assertEquals(0.7f, r.getSampling().getTemperature());
    assertEquals(0.8f, r.getSampling().getTopP());
    assertEquals(20, r.getSampling().getTopK());
    assertEquals(1.1f, r.getSampling().getRepetitionPenalty());
    assertEquals(16384, r.getSampling().getMaxNewTokens());
    assertEquals(List.of("\n\n---", "\n\n\n", "\n---", "---"), r.getSampling().getStopList());
    assertEquals(500, r.getSelfInstruct().getBatchSize());
    assertEquals(1f, r.getSelfInstruct().getNearDuplicateThreshold());
    assertFalse(r.getSelfInstruct().getPoolAcrossRounds());
    assertFalse(r.getSelfInstruct().getGeneratorWrites());
    assertFalse(r.getSelfInstruct().getLenientJudge());
    assertFalse(r.getSelfInstruct().getLenientParse());
    assertFalse(r.getMeasurement().getHoldOutSeeds());
    assertEquals(5000, r.getCollect().getTotalCount());
    assertTrue(r.getCollect().getEnabled());
    assertEquals("/m", r.getModels().getLengthControl().getPath());
    assertEquals("/m", r.getModels().getGenerator().getPath());
    assertEquals("/m", r.getModels().getExtender().getPath());
    assertEquals("/m", r.getModels().getJudge().getPath());
    assertEquals("cpu", r.getModels().getGenerator().getDevice());
    assertEquals(16, r.getModels().getMaxBatchSize());
    assertEquals(5000, r.getSelfInstruct().getInstructionsPerRound());
    assertEquals(2, r.getSelfInstruct().getFewShot());
    assertEquals(10, r.getSelfInstruct().getMaxTries());
    assertEquals(3, r.getSelfInstruct().getMinWords());
    assertEquals(500, r.getSelfInstruct().getMaxWords());
    assertTrue(r.getSelfInstruct().getJudge());
    assertEquals(2000, r.getSelfInstruct().getJudgeLongWords());
    assertEquals(2, r.getInitialResponses().getPerInstruction());
    assertEquals(20, r.getInitialResponses().getMaxTries());
    assertEquals(2, r.getExtension().getAttempts());
    assertEquals(3, r.getExtension().getMicroIterations());
    assertEquals(2f / 3f, r.getExtension().getPrefixFraction());
    assertEquals(1.2f, r.getExtension().getMinGrowth());
    assertTrue(r.getDropShort().getEnabled());
    assertEquals(2f, r.getDropShort().getFactor());
    assertEquals(3f, r.getDropShort().getExponent());
    assertEquals(10, r.getResponseCheck().getNgramWordsEn());
    assertEquals(13, r.getResponseCheck().getNgramUnitsZh());
    assertEquals(SpecDefaults.CLOSING_PUNCTUATION_EN, r.getResponseCheck().getClosingPunctuation());
    assertTrue(r.getResponseCheck().getMetaWordsList().contains("revised"));
    assertEquals(0.2f, r.getTrainingSets().getExtenderLineDrop());
    Training t = r.getTraining();
    assertEquals(TrainMethod.TRAIN_METHOD_LORA, t.getMethod());
    assertEquals(8, t.getLoraRank());
    assertEquals(16f, t.getLoraAlpha());
    assertEquals(7, t.getLoraTargetsCount());
    assertEquals(1e-4f, t.getLearningRate());
    assertEquals(4f, t.getEpochs());
    assertEquals("cosine", t.getLrScheduler());
    assertEquals(0.1f, t.getWarmupRatio());
    assertEquals(16384, t.getCutoffLen());
    assertEquals(32, r.getParallelism().getShardSize());
    assertEquals(8, r.getParallelism().getMaxConcurrentShards());
    assertEquals(0, r.getParallelism().getQueuedShards(), "off unless asked for");
    assertEquals(0.95f, r.getParallelism().getStragglerFraction());
    assertEquals(20, r.getMeasurement().getHeldOutCount());
    assertEquals(0.40f, r.getLengthControl().getShareAbout());
    assertEquals(0.25f, r.getLengthControl().getShareRange());
    assertEquals(0.10f, r.getLengthControl().getShareAbove());
    assertEquals(0.25f, r.getLengthControl().getShareBelow());
    assertEquals(1000, r.getLengthControl().getRoundTo());
  }

  @Test
  void explicitValuesStayEvenWhenZeroOrInvalid() {
    RunSpec spec = RunSpec.newBuilder().setRounds(0).setSeed(0).setDataRoot("/d")
        .setSampling(Sampling.newBuilder().setTemperature(0f).addStop("###"))
        .setTraining(Training.newBuilder().setLoraRank(4))
        .build();
    RunSpec r = SpecDefaults.resolve(spec);
    assertEquals(0, r.getRounds());
    assertEquals(0, r.getSeed());
    assertEquals("/d", r.getDataRoot());
    assertEquals(0f, r.getSampling().getTemperature());
    assertEquals(List.of("###"), r.getSampling().getStopList());
    assertEquals(8f, r.getTraining().getLoraAlpha(), "alpha follows the rank: 2 x 4");
  }

  @Test
  void stageSamplingInheritsTheRunSamplingFieldByField() {
    RunSpec r = SpecDefaults.resolve(RunSpec.newBuilder()
        .setSampling(Sampling.newBuilder().setTemperature(0.3f))
        .setSelfInstruct(SelfInstruct.newBuilder().setSampling(Sampling.newBuilder().setTopP(0.9f)))
        .build());
    assertEquals(0.3f, r.getSelfInstruct().getSampling().getTemperature());
    assertEquals(0.9f, r.getSelfInstruct().getSampling().getTopP());
    assertEquals(0.3f, r.getMeasurement().getSampling().getTemperature());
    assertEquals(0.8f, r.getMeasurement().getSampling().getTopP());
  }

  @Test
  void judgeDefaultsToTheGeneratorsBaseModelWithoutItsAdapter() {
    RunSpec r = SpecDefaults.resolve(RunSpec.newBuilder().setModels(Models.newBuilder()
        .setBaseModel("/base")
        .setGenerator(ModelRef.newBuilder().setPath("/gen").setAdapter("a").setDevice("cuda:1")))
        .build());
    ModelRef judge = r.getModels().getJudge();
    assertEquals("/gen", judge.getPath());
    assertEquals("", judge.getAdapter());
    assertEquals("cuda:1", judge.getDevice());
    assertEquals("/base", r.getModels().getExtender().getPath());

    RunSpec remote = SpecDefaults.resolve(RunSpec.newBuilder().setModels(Models.newBuilder()
        .setGenerator(ModelRef.newBuilder().setEndpoint("http://127.0.0.1:8000/v1").setModelName("qwen")))
        .build());
    assertEquals("http://127.0.0.1:8000/v1", remote.getModels().getJudge().getEndpoint());
    assertEquals("qwen", remote.getModels().getJudge().getModelName());
    assertEquals("", remote.getModels().getGenerator().getPath());
  }

  @Test
  void chineseProfileGetsChineseClosingPunctuation() {
    RunSpec r = SpecDefaults.resolve(RunSpec.newBuilder().setLanguage(Language.LANGUAGE_ZH).build());
    assertTrue(r.getResponseCheck().getClosingPunctuation().contains("\u3002"));
    // qwen/utils.py: no ASCII full stop, and no meta words.
    assertFalse(r.getResponseCheck().getClosingPunctuation().contains("."));
    assertEquals(0, r.getResponseCheck().getMetaWordsCount());
    assertFalse(SpecDefaults.CLOSING_PUNCTUATION_EN.contains("\u3002"));
  }

  @Test
  void resolveIsIdempotent() {
    RunSpec once = SpecDefaults.resolve(RunSpec.newBuilder().setRunId("r").setModels(
        Models.newBuilder().setBaseModel("/m")).build());
    assertEquals(once, SpecDefaults.resolve(once));
  }
}
