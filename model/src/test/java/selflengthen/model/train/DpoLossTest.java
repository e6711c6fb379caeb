package selflengthen.model.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import selflengthen.model.config.Checkpoint;
import selflengthen.model.engine.Djl;
import selflengthen.model.TinyModels;
import selflengthen.model.api.PreferenceExample;
import selflengthen.model.lora.LoraConfig;
import selflengthen.model.lora.LoraWeights;
import selflengthen.model.nn.DecoderModel;
import selflengthen.model.nn.LoraDelta;
import selflengthen.model.tokenizer.TextTokenizer;

/**
 * The DPO loss and its gradient against a hand computation: sequence log-probabilities summed in
 * Java doubles from the model's logits, the sigmoid loss written out, and the gradient of one LoRA
 * parameter by central finite differences of that hand-computed loss.
 */
class DpoLossTest {
  @TempDir Path dir;

  static final List<PreferenceExample> PAIRS = List.of(
      new PreferenceExample("Name a river.", "", "The Nile flows north through the desert.",
          "The Nile."),
      new PreferenceExample("Describe bread.", "", "Flour, water, salt and yeast, baked.",
          "Bread is food."),
      new PreferenceExample("Translate", "hello", "bonjour", "hello hello"));

  /** The same answer under its own instruction and under a corrupted one (Suri's I-ORPO pairs). */
  static final PreferenceExample SURI = new PreferenceExample("Describe bread in 300 words.", "",
      "Flour, water, salt and yeast, baked.", "Flour, water, salt and yeast, baked.",
      "Describe bread in 3 words.");

  /** A LoRA adapter over the tiny model with random A and B (B is zero after PEFT's init). */
  static LoraWeights randomAdapter(Checkpoint base, NDManager manager, long seed) {
    LoraWeights w = LoraWeights.init(base.config(), new LoraConfig(4, 8f, 0f, List.of(), false),
        seed, manager);
    SplittableRandom r = new SplittableRandom(seed);
    for (Map.Entry<String, NDArray> e : w.parameters().entrySet()) {
      if (e.getKey().contains("lora_B")) {
        NDArray b = e.getValue();
        float[] f = new float[(int) b.getShape().size()];
        for (int i = 0; i < f.length; i++) {
          f[i] = (float) (r.nextGaussian() * 0.05);
        }
        b.set(new NDIndex("..."), manager.create(f, b.getShape()));
      }
    }
    return w;
  }

  /** Sum over response tokens of log softmax(logits[t-1])[ids[t]], in doubles. */
  static double handLogProb(DecoderModel m, LoraDelta delta, SftDataset.Sample s) {
    int[] ids = s.ids();
    long[] tokens = new long[ids.length];
    for (int i = 0; i < ids.length; i++) {
      tokens[i] = ids[i];
    }
    try (NDScope scope = new NDScope()) {
      float[] logits = m.logits(m.hiddenStates(m.manager().create(tokens, new Shape(1,
          ids.length)), delta)).toFloatArray();
      int v = logits.length / ids.length;
      double sum = 0;
      for (int t = s.promptLength(); t < ids.length; t++) {
        int row = (t - 1) * v;
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < v; j++) {
          max = Math.max(max, logits[row + j]);
        }
        double z = 0;
        for (int j = 0; j < v; j++) {
          z += Math.exp(logits[row + j] - max);
        }
        sum += logits[row + ids[t]] - max - Math.log(z);
      }
      return sum;
    }
  }

  static double handLoss(DecoderModel m, LoraDelta policy, List<PreferenceDataset.Pair> data,
      double[][] ref, double beta) {
    double loss = 0;
    for (int i = 0; i < data.size(); i++) {
      double pc = handLogProb(m, policy, data.get(i).chosen());
      double pr = handLogProb(m, policy, data.get(i).rejected());
      double z = beta * ((pc - ref[0][i]) - (pr - ref[1][i]));
      loss += -Math.log(1 / (1 + Math.exp(-z)));
    }
    return loss / data.size();
  }

  @Test
  void lossAndGradientMatchAHandComputation() throws Exception {
    Path tiny = TinyModels.tiny();
    Checkpoint base = Checkpoint.read(tiny);
    double beta = 0.1;
    Djl.engine();
    boolean wasGrad = JniUtils.isGradMode();
    try (TextTokenizer tok = base.loadTokenizer();
        DecoderModel m = DecoderModel.load(base.config(), tiny, Device.cpu())) {
      Djl.setGradMode(false);
      int end = SftDataset.endOfTurnToken(base.chatTemplate(), tok, base.eosTokenIds(tok));
      List<PreferenceExample> pairs = new java.util.ArrayList<>(PAIRS);
      pairs.add(SURI);
      List<PreferenceDataset.Pair> data = PreferenceDataset.build(pairs, base.chatTemplate(), tok,
          end, 256);
      assertEquals(4, data.size());
      SftDataset.Sample own = data.get(3).chosen();
      SftDataset.Sample corrupted = data.get(3).rejected();
      assertTrue(own.promptLength() != corrupted.promptLength()
          || !java.util.Arrays.equals(own.ids(), corrupted.ids()), "two prompts, one answer");
      assertEquals(own.ids().length - own.promptLength(),
          corrupted.ids().length - corrupted.promptLength());
      Path sft = dir.resolve("sft");
      try (LoraWeights w = randomAdapter(base, m.manager(), 5)) {
        w.save(sft, tiny.toString());
      }
      // the reference: base plus the SFT adapter, by the engine and by hand
      double[][] ref = ReferenceLogProbs.compute(m, sft, data, 2);
      try (LoraWeights refW = LoraWeights.load(sft, base.config(), m.manager(), Device.cpu())) {
        for (int i = 0; i < data.size(); i++) {
          assertEquals(handLogProb(m, refW.trainingDelta(0f, false), data.get(i).chosen()),
              ref[0][i], 2e-4 * Math.abs(ref[0][i]), "reference chosen " + i);
          assertEquals(handLogProb(m, refW.trainingDelta(0f, false), data.get(i).rejected()),
              ref[1][i], 2e-4 * Math.abs(ref[1][i]), "reference rejected " + i);
        }
      }
      // the policy: a different adapter, as DPO's would be after some steps
      try (LoraWeights policy = randomAdapter(base, m.manager(), 6)) {
        LoraDelta delta = policy.trainingDelta(0f, false);
        double hand = handLoss(m, delta, data, ref, beta);
        assertTrue(Math.abs(hand - Math.log(2)) > 1e-3, "policy differs from the reference: "
            + hand);
        NDArray param = policy.parameters().get(LoraWeights.name(1, "v_proj", "B"));
        NDArray paramA = policy.parameters().get(LoraWeights.name(2, "up_proj", "A"));
        float[] grad;
        float[] gradA;
        param.setRequiresGradient(true);
        paramA.setRequiresGradient(true);
        Djl.setGradMode(true);
        try (NDScope scope = new NDScope()) {
          NDArray margins = DpoTrainer.margins(m, delta, data, ref, List.of(0, 1, 2, 3), beta);
          NDArray loss = DpoLoss.sigmoidLoss(margins).mean();
          assertEquals(hand, loss.getFloat(), 1e-5, "engine loss vs hand loss");
          JniUtils.backward((PtNDArray) loss, (PtNDArray) loss.onesLike(), false, false);
          grad = param.getGradient().toFloatArray();
          gradA = paramA.getGradient().toFloatArray();
        }
        Djl.setGradMode(false);
        param.setRequiresGradient(false);
        paramA.setRequiresGradient(false);
        checkByFiniteDifferences(m, delta, data, ref, beta, param, grad);
        checkByFiniteDifferences(m, delta, data, ref, beta, paramA, gradA);
      }
    } finally {
      Djl.setGradMode(wasGrad);
    }
  }

  /** The two largest gradient entries against (L(w + h) - L(w - h)) / 2h of the hand loss. */
  private static void checkByFiniteDifferences(DecoderModel m, LoraDelta delta,
      List<PreferenceDataset.Pair> data, double[][] ref, double beta, NDArray param,
      float[] grad) {
    int[] top = {0, -1};
    for (int i = 1; i < grad.length; i++) {
      if (Math.abs(grad[i]) > Math.abs(grad[top[0]])) {
        top[1] = top[0];
        top[0] = i;
      } else if (top[1] < 0 || Math.abs(grad[i]) > Math.abs(grad[top[1]])) {
        top[1] = i;
      }
    }
    long cols = param.getShape().get(1);
    double h = 1e-2;
    for (int k : top) {
      NDIndex at = new NDIndex(k / cols, k % cols);
      float w0 = param.get(at).getFloat();
      param.set(at, (float) (w0 + h));
      double plus = handLoss(m, delta, data, ref, beta);
      param.set(at, (float) (w0 - h));
      double minus = handLoss(m, delta, data, ref, beta);
      param.set(at, w0);
      double numeric = (plus - minus) / (2 * h);
      assertTrue(Math.abs(grad[k]) > 1e-4, "a gradient worth checking: " + grad[k]);
      assertEquals(numeric, grad[k], 0.01 * Math.abs(numeric) + 1e-5,
          "d loss / d w[" + k + "]: finite differences " + numeric + " vs autograd " + grad[k]);
    }
  }

  @Test
  void sigmoidLossIsStableAndMatchesTheDefinition() {
    for (double z : new double[] {-30, -2, -0.3, 0, 0.3, 2, 30}) {
      assertEquals(-Math.log(1 / (1 + Math.exp(-z))), DpoLoss.sigmoidLoss(z), 1e-9, "z " + z);
    }
    assertEquals(Math.log(2), DpoLoss.sigmoidLoss(0), 1e-12);
    try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
      float[] l = DpoLoss.sigmoidLoss(m.create(new float[] {-200f, 0f, 200f})).toFloatArray();
      assertEquals(200f, l[0], 1e-3);
      assertEquals(Math.log(2), l[1], 1e-6);
      assertEquals(0f, l[2], 1e-6);
    }
  }
}
