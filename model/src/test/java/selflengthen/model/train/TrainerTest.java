package selflengthen.model.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import selflengthen.model.config.Checkpoint;
import selflengthen.model.io.SafetensorsFile;
import selflengthen.model.lora.LoraWeights;
import selflengthen.model.nn.DecoderModel;
import selflengthen.model.nn.KvCache;
import org.junit.jupiter.api.io.TempDir;
import selflengthen.model.config.EngineOptions;
import selflengthen.model.Models;
import selflengthen.model.TinyModels;
import selflengthen.model.api.ChatMessage;
import selflengthen.model.api.SamplingParams;
import selflengthen.model.api.SftExample;
import selflengthen.model.api.TrainingConfig;
import selflengthen.model.api.TrainingJob;
import selflengthen.model.api.TrainingProgress;
import selflengthen.model.api.TrainingReport;
import selflengthen.model.generate.DjlLanguageModel;

@Tag("integration")
class TrainerTest {
  @TempDir Path dir;

  static final List<SftExample> EXAMPLES = List.of(
      new SftExample("Name a river.", "", "The Nile flows north."),
      new SftExample("Describe bread.", "", "Flour, water, salt and yeast."),
      new SftExample("Translate", "hello", "bonjour"),
      new SftExample("Count to three.", "", "One, two, three."));

  static TrainingConfig lora(float lr, float epochs, int every) {
    return new TrainingConfig(false, 8, 16f, 0f, List.of(), lr, epochs, "cosine", 0.1f, 256, 2, 2,
        0f, every, 11L);
  }

  TrainingJob job(String name, Path init, TrainingConfig c) {
    return new TrainingJob(TinyModels.tiny(), init, dir.resolve(name + "-out"),
        dir.resolve(name + "-ckpt"), EXAMPLES, c);
  }

  @Test
  void loraTrainingLowersLossAndTheSavedAdapterReproducesTheTrainedModel() throws Exception {
    List<TrainingProgress> steps = new ArrayList<>();
    TrainingConfig c = new TrainingConfig(false, 8, 16f, 0f, List.of(), 2e-2f, 12, "constant", 0f,
        256, 4, 1, 0f, 0, 11L);
    TrainingJob j = new TrainingJob(TinyModels.pretrained(), null, dir.resolve("a-out"),
        dir.resolve("a-ckpt"), EXAMPLES, c);
    TrainingReport r = new SftTrainer().train(j, steps::add);
    assertEquals(12, r.steps());
    assertEquals(12, steps.size());
    assertTrue(r.finalLoss() < r.firstLoss() - 0.5, r.firstLoss() + " -> " + r.finalLoss());
    assertTrue(steps.get(0).tokensPerSecond() > 0);
    assertEquals(2e-2, steps.get(5).learningRate(), 1e-9);
    var peft = SafetensorsFile.open(r.outputDir().resolve("adapter_model.safetensors"))
        .tensors().keySet();
    assertTrue(peft.contains("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight"));
    assertTrue(peft.contains("base_model.model.model.layers.3.mlp.down_proj.lora_B.weight"));
    assertEquals(4 * 7 * 2, peft.size());

    // the reloaded adapter in its generation layout computes what the trained model computed
    Checkpoint base = Checkpoint.read(TinyModels.pretrained());
    try (var tok = base.loadTokenizer();
        DecoderModel m = DecoderModel.load(base.config(), TinyModels.pretrained(), Device.cpu());
        LoraWeights w = LoraWeights.load(r.outputDir(), base.config(), m.manager(), Device.cpu());
        NDScope scope = new NDScope();
        KvCache cache = new KvCache(base.config(), 1, 128, m.manager(), Device.cpu())) {
      long[] ids = java.util.Arrays.stream(tok.encode(base.chatTemplate().render(
          List.of(ChatMessage.user("Name a river.")), true))).asLongStream().toArray();
      NDArray viaEngine = m.forward(ids, 1, ids.length, 0, new int[] {0}, null, cache,
          w.fused(m.manager()));
      NDArray viaTraining = m.logits(m.hiddenStates(
          m.manager().create(ids, new Shape(1, ids.length)), w.trainingDelta(0f, false)));
      NDArray plain = m.logits(m.hiddenStates(m.manager().create(ids, new Shape(1, ids.length)),
          null));
      assertTrue(viaEngine.sub(viaTraining).abs().max().getFloat() < 1e-4);
      assertTrue(viaEngine.sub(plain).abs().max().getFloat() > 1e-2, "the adapter changes logits");
    }

    // the engine with the adapter and the merged checkpoint generate the same tokens
    Path merged = dir.resolve("merged");
    Models.mergeAdapter(TinyModels.pretrained(), r.outputDir(), merged);
    EngineOptions opts = EngineOptions.defaults().withMaxBatchSize(4).withMaxSequenceLength(128);
    try (DjlLanguageModel m = Models.open(TinyModels.pretrained(), opts);
        DjlLanguageModel mm = Models.open(merged, opts)) {
      int differs = 0;
      for (SftExample e : EXAMPLES) {
        List<ChatMessage> chat = List.of(ChatMessage.user(SftDataset.userTurn(e)));
        var adapted = m.chat(chat, "", SamplingParams.greedy(), 12, List.of(),
            r.outputDir().toString());
        var plain = m.chat(chat, "", SamplingParams.greedy(), 12, List.of(), null);
        var viaMerge = mm.chat(chat, "", SamplingParams.greedy(), 12, List.of(), null);
        assertArrayEquals(viaMerge.tokenIds(), adapted.tokenIds());
        if (!java.util.Arrays.equals(plain.tokenIds(), adapted.tokenIds())) {
          differs++;
        }
      }
      assertTrue(differs > 0, "the trained adapter changes what the model writes");
    }
  }

  @Test
  void resumedRunContinuesTheSameLossCurve() {
    List<Double> straight = new ArrayList<>();
    new SftTrainer().train(job("full", null, lora(1e-2f, 6, 0)), p -> straight.add(p.loss()));
    assertEquals(6, straight.size());

    TrainingJob interrupted = job("crash", null, lora(1e-2f, 6, 2));
    List<Double> first = new ArrayList<>();
    assertThrows(IllegalStateException.class, () -> new SftTrainer().train(interrupted, p -> {
      first.add(p.loss());
      if (p.step() == 3) {
        throw new IllegalStateException("worker died");
      }
    }));
    List<TrainingProgress> rest = new ArrayList<>();
    TrainingReport r = new SftTrainer().train(interrupted, rest::add);
    assertTrue(r.resumedFromCheckpoint());
    assertEquals(3, rest.get(0).step(), "restarts after the checkpoint of step 2");
    assertEquals(6, r.steps());
    for (TrainingProgress p : rest) {
      assertEquals(straight.get((int) p.step() - 1), p.loss(), 1e-4, "step " + p.step());
    }
    assertEquals(straight.get(0), r.firstLoss(), 1e-6);
  }

  @Test
  void continuingFromAnAdapterStartsWhereItEnded() throws Exception {
    TrainingReport a = new SftTrainer().train(job("base", null, lora(3e-2f, 8, 0)), p -> { });
    List<Double> b0 = new ArrayList<>();
    TrainingReport b = new SftTrainer().train(job("cont", a.outputDir(), lora(0f, 1, 0)),
        p -> b0.add(p.loss()));
    // lr 0 keeps the adapter as it was: the output equals the input adapter
    assertEquals(
        java.util.Arrays.toString(floats(a.outputDir(), 2)),
        java.util.Arrays.toString(floats(b.outputDir(), 2)));
    assertTrue(b.firstLoss() < a.firstLoss() - 0.3,
        "continued adapter starts low: " + b.firstLoss() + " vs fresh " + a.firstLoss());
  }

  static float[] floats(Path adapter, int layer) throws Exception {
    var t = SafetensorsFile.open(adapter.resolve("adapter_model.safetensors")).tensors()
        .get(LoraWeights.name(layer, "v_proj", "B"));
    var b = java.nio.ByteBuffer.allocateDirect((int) t.elements() * 4)
        .order(java.nio.ByteOrder.nativeOrder());
    SafetensorsFile.readFloat32(t, b);
    float[] f = new float[(int) t.elements()];
    b.flip().asFloatBuffer().get(f);
    return f;
  }

  @Test
  void fullFineTuneWritesALoadableCheckpoint() {
    TrainingConfig full = new TrainingConfig(true, 0, 0f, 0f, List.of(), 3e-3f, 4, "linear", 0f,
        256, 4, 1, 0.01f, 0, 5L);
    TrainingReport r = new SftTrainer().train(job("ft", null, full), p -> { });
    assertTrue(r.finalLoss() < r.firstLoss(), r.firstLoss() + " -> " + r.finalLoss());
    assertTrue(Files.exists(r.outputDir().resolve("model.safetensors")));
    assertTrue(Files.exists(r.outputDir().resolve("tokenizer.json")));
    try (DjlLanguageModel m = Models.open(r.outputDir(),
        EngineOptions.defaults().withMaxBatchSize(1).withMaxSequenceLength(64))) {
      assertTrue(m.chat(List.of(ChatMessage.user("Name a river.")), "", SamplingParams.greedy(), 5,
          List.of(), null).completionTokens() > 0);
    }
  }

  @Test
  void checkpointsOfAnotherJobAreNotResumed() {
    TrainingJob a = job("same", null, lora(1e-2f, 2, 1));
    new SftTrainer().train(a, p -> { });
    TrainingJob other = new TrainingJob(a.baseModel(), null, a.outputDir(), a.checkpointDir(),
        EXAMPLES.subList(0, 2), a.config());
    assertThrows(IllegalStateException.class, () -> new SftTrainer().train(other, p -> { }));
  }

  @Test
  void lengthGroupedMicroBatchHasTheLossAndGradientsOfOnePaddedBatch() throws Exception {
    Checkpoint base = Checkpoint.read(TinyModels.pretrained());
    boolean wasGrad = ai.djl.pytorch.jni.JniUtils.isGradMode();
    try (DecoderModel m = DecoderModel.load(base.config(), TinyModels.pretrained(), Device.cpu())) {
      java.util.SplittableRandom r = new java.util.SplittableRandom(3);
      List<SftDataset.Sample> samples = new ArrayList<>();
      for (int length : new int[] {90, 7, 60, 12, 88, 9}) {
        int[] ids = new int[length];
        for (int t = 0; t < length; t++) {
          ids[t] = r.nextInt(base.config().vocabSize());
        }
        samples.add(new SftDataset.Sample(ids, Math.max(1, length / 3)));
      }
      assertTrue(LengthGroups.of(samples).size() > 1, "the lengths split into groups");
      var params = m.weights().parameters();
      params.values().forEach(p -> p.setRequiresGradient(true));
      selflengthen.model.engine.Djl.setGradMode(true);
      int count = samples.stream().mapToInt(s -> s.ids().length - s.promptLength()).sum();
      float[] losses = new float[2];
      List<float[]> grads = new ArrayList<>();
      for (int variant = 0; variant < 2; variant++) {
        try (NDScope scope = new NDScope()) {
          NDArray loss = variant == 0
              ? SftTrainer.microBatchLoss(m, null, samples)
              : SftTrainer.responseLogProbSum(m, null, samples).neg().div(count);
          ai.djl.pytorch.jni.JniUtils.backward((ai.djl.pytorch.engine.PtNDArray) loss,
              (ai.djl.pytorch.engine.PtNDArray) loss.onesLike(), false, false);
          losses[variant] = loss.getFloat();
          NDArray g = params.get(params.keySet().iterator().next()).getGradient();
          // gradients accumulate: the second variant's are the total less the first's
          grads.add(g.toFloatArray());
        }
      }
      assertEquals(losses[1], losses[0], 1e-5f);
      float[] a = grads.get(0);
      float[] total = grads.get(1);
      double worst = 0;
      double largest = 0;
      for (int i = 0; i < a.length; i++) {
        worst = Math.max(worst, Math.abs(a[i] - (total[i] - a[i])));
        largest = Math.max(largest, Math.abs(a[i]));
      }
      assertTrue(largest > 1e-4, "the gradient is not zero");
      assertTrue(worst < 1e-5, "largest gradient difference " + worst);
    } finally {
      selflengthen.model.engine.Djl.setGradMode(wasGrad);
    }
  }
}
