package selflengthen.model.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import selflengthen.model.config.Checkpoint;
import selflengthen.model.TinyModels;

class DecoderModelTest {
  static DecoderModel model;
  static int vocab;

  @BeforeAll
  static void load() throws Exception {
    Path dir = TinyModels.tiny();
    Checkpoint c = Checkpoint.read(dir);
    model = DecoderModel.load(c.config(), dir, Device.cpu());
    vocab = c.config().vocabSize();
  }

  @AfterAll
  static void close() {
    model.close();
  }

  static long[] tokens(int n, int seed) {
    long[] t = new long[n];
    java.util.Random r = new java.util.Random(seed);
    for (int i = 0; i < n; i++) {
      t[i] = r.nextInt(vocab);
    }
    return t;
  }

  @Test
  void incrementalDecodeMatchesFullForward() {
    long[] seq = tokens(12, 1);
    try (NDScope scope = new NDScope();
        KvCache full = new KvCache(model.config(), 1, 32, model.manager(), model.device());
        KvCache inc = new KvCache(model.config(), 1, 32, model.manager(), model.device())) {
      float[] all = model.forward(seq, 1, 12, 0, new int[] {0}, null, full, null).toFloatArray();
      int prefix = 5;
      long[] first = java.util.Arrays.copyOf(seq, prefix);
      float[] step = model.forward(first, 1, prefix, 0, new int[] {0}, new int[] {prefix - 1}, inc,
          null).toFloatArray();
      assertClose(all, (prefix - 1) * vocab, step);
      for (int p = prefix; p < 12; p++) {
        step = model.forward(new long[] {seq[p]}, 1, 1, 0, new int[] {p}, new int[] {0}, inc, null)
            .toFloatArray();
        assertClose(all, p * vocab, step);
      }
    }
  }

  @Test
  void rightPaddedBatchMatchesEachRowAlone() {
    long[] a = tokens(9, 2);
    long[] b = tokens(4, 3);
    try (NDScope scope = new NDScope();
        KvCache cache = new KvCache(model.config(), 3, 32, model.manager(), model.device())) {
      float[] aloneA = model.forward(a, 1, 9, 0, new int[] {0}, new int[] {8}, cache, null)
          .toFloatArray();
      float[] aloneB = model.forward(b, 1, 4, 0, new int[] {0}, new int[] {3}, cache, null)
          .toFloatArray();
      long[] batch = new long[18];
      System.arraycopy(a, 0, batch, 0, 9);
      System.arraycopy(b, 0, batch, 9, 4);
      NDArray logits = model.forward(batch, 2, 9, 1, new int[] {0, 0}, new int[] {8, 3}, cache,
          null);
      assertArrayEquals(new long[] {2, vocab}, logits.getShape().getShape());
      float[] both = logits.toFloatArray();
      assertClose(both, 0, aloneA);
      assertClose(both, vocab, aloneB);
      // decode one more token in both rows at different positions: still equal to row-alone runs
      float[] next = model.forward(new long[] {5, 6}, 2, 1, 1, new int[] {9, 4}, new int[] {0, 0},
          cache, null).toFloatArray();
      long[] a2 = java.util.Arrays.copyOf(a, 10);
      a2[9] = 5;
      float[] a2Alone = model.forward(a2, 1, 10, 0, new int[] {0}, new int[] {9}, cache, null)
          .toFloatArray();
      assertClose(next, 0, a2Alone);
    }
  }

  /**
   * Generation steps through {@link BlockedLinear} (here 4 column blocks, whatever the thread
   * count) give the logits of the training path's plain kernels over the whole sequence.
   */
  @Test
  void blockedProjectionsGiveTheLogitsOfThePlainKernels() throws Exception {
    Path dir = TinyModels.tiny();
    Checkpoint c = Checkpoint.read(dir);
    ai.djl.ndarray.NDManager manager = ai.djl.ndarray.NDManager.newBaseManager(Device.cpu());
    DecoderWeights weights = DecoderWeights.load(c.config(),
        selflengthen.model.io.WeightFiles.open(dir), manager, Device.cpu());
    long[] seq = tokens(10, 4);
    try (DecoderModel blocked = new DecoderModel(weights, manager, 4, false);
        NDScope scope = new NDScope();
        KvCache cache = new KvCache(c.config(), 1, 32, manager, Device.cpu())) {
      NDArray ids = manager.create(seq, new ai.djl.ndarray.types.Shape(1, 10));
      float[] plain = model.logits(model.hiddenStates(ids, null)).toFloatArray();
      float[] prefill = blocked.forward(java.util.Arrays.copyOf(seq, 6), 1, 6, 0, new int[] {0},
          new int[] {5}, cache, null).toFloatArray();
      assertClose(plain, 5 * vocab, prefill);
      for (int p = 6; p < 10; p++) {
        float[] step = blocked.forward(new long[] {seq[p]}, 1, 1, 0, new int[] {p}, new int[] {0},
            cache, null).toFloatArray();
        assertClose(plain, p * vocab, step);
      }
    }
  }

  static void assertClose(float[] big, int offset, float[] small) {
    double maxDiff = 0;
    for (int i = 0; i < small.length; i++) {
      maxDiff = Math.max(maxDiff, Math.abs(big[offset + i] - small[i]));
    }
    assertTrue(maxDiff < 1e-4, "max difference " + maxDiff);
    assertEquals(vocab, small.length);
  }
}
