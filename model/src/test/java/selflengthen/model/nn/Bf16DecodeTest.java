package selflengthen.model.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDScope;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import selflengthen.model.config.Checkpoint;
import selflengthen.model.TinyModels;

/**
 * EngineOptions.bf16 against float32 on the same checkpoint: logits within a stated tolerance at
 * every cached decode step, and the same greedy tokens.
 */
class Bf16DecodeTest {
  /** Largest |bf16 - fp32| logit difference allowed, as a share of the step's largest |logit|. */
  static final double TOLERANCE = 0.01;

  static DecoderModel fp32;
  static DecoderModel bf16;
  static int vocab;

  @BeforeAll
  static void load() throws Exception {
    Path dir = TinyModels.pretrained();
    Checkpoint c = Checkpoint.read(dir);
    fp32 = DecoderModel.load(c.config(), dir, Device.cpu(), false);
    bf16 = DecoderModel.load(c.config(), dir, Device.cpu(), true);
    vocab = c.config().vocabSize();
  }

  @AfterAll
  static void close() {
    fp32.close();
    bf16.close();
  }

  @Test
  void bf16IsOnlyWhereAsked() {
    assertFalse(fp32.bf16());
    assertTrue(bf16.bf16());
  }

  @Test
  void greedyTokensAndLogitsStayWithinTolerance() {
    for (int seed = 1; seed <= 3; seed++) {
      long[] prompt = new long[8];
      java.util.Random r = new java.util.Random(seed);
      for (int i = 0; i < prompt.length; i++) {
        prompt[i] = r.nextInt(vocab);
      }
      long[] a = greedy(fp32, prompt, 24, null);
      double[] worst = new double[1];
      long[] b = greedy(bf16, prompt, 24, new Reference(fp32, worst));
      System.out.printf("bf16 vs fp32, prompt seed %d: largest relative logit difference %.4f%n",
          seed, worst[0]);
      assertTrue(worst[0] <= TOLERANCE, "largest relative logit difference " + worst[0]);
      assertEquals(Arrays.toString(a), Arrays.toString(b), "greedy tokens, prompt seed " + seed);
    }
  }

  /** fp32 logits on the same inputs, to compare each bf16 step with. */
  record Reference(DecoderModel model, double[] worst) {}

  /** Prefill then {@code steps} cached single-token steps, argmax each time. */
  static long[] greedy(DecoderModel m, long[] prompt, int steps, Reference ref) {
    long[] out = new long[steps];
    try (NDScope scope = new NDScope();
        KvCache cache = new KvCache(m.config(), 1, 64, m.manager(), m.device());
        KvCache refCache = ref == null ? null
            : new KvCache(m.config(), 1, 64, ref.model().manager(), ref.model().device())) {
      long[] input = prompt;
      int pos = 0;
      for (int s = 0; s < steps; s++) {
        int len = input.length;
        float[] logits = m.forward(input, 1, len, 0, new int[] {pos}, new int[] {len - 1}, cache,
            null).toFloatArray();
        if (ref != null) {
          float[] exact = ref.model().forward(input, 1, len, 0, new int[] {pos},
              new int[] {len - 1}, refCache, null).toFloatArray();
          double max = 0;
          double diff = 0;
          for (int v = 0; v < exact.length; v++) {
            max = Math.max(max, Math.abs(exact[v]));
            diff = Math.max(diff, Math.abs(exact[v] - logits[v]));
          }
          ref.worst()[0] = Math.max(ref.worst()[0], diff / max);
        }
        int best = 0;
        for (int v = 1; v < logits.length; v++) {
          if (logits[v] > logits[best]) {
            best = v;
          }
        }
        out[s] = best;
        pos += len;
        input = new long[] {best};
      }
    }
    return out;
  }
}
