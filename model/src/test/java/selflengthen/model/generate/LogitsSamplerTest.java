package selflengthen.model.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import selflengthen.model.engine.Djl;
import selflengthen.model.api.SamplingParams;

/** Hand-made logits with known probabilities. */
class LogitsSamplerTest {
  static NDManager m;

  @BeforeAll
  static void start() {
    Djl.engine();
    m = NDManager.newBaseManager();
  }

  @AfterAll
  static void stop() {
    m.close();
  }

  /** Logits whose softmax is exactly p (log p). */
  static float[] logitsOf(double... p) {
    float[] l = new float[p.length];
    for (int i = 0; i < p.length; i++) {
      l[i] = (float) Math.log(p[i]);
    }
    return l;
  }

  /** Draws from independent rows of one batch (each row its own random stream). */
  static int[] counts(float[] logits, SamplingParams p, int draws, NDArray seen) {
    int v = logits.length;
    float[] rows = new float[draws * v];
    for (int i = 0; i < draws; i++) {
      System.arraycopy(logits, 0, rows, i * v, v);
    }
    NDArray x = m.create(rows, new Shape(draws, v));
    NDArray seenRows = seen == null ? null : seen.repeat(0, draws);
    List<LogitsSampler.Row> settings = new ArrayList<>();
    for (int i = 0; i < draws; i++) {
      settings.add(new LogitsSampler.Row(p, new java.util.SplittableRandom(p.seed() * 1000 + i), 0));
    }
    int[] c = new int[v];
    for (var choice : LogitsSampler.choose(x, seenRows, settings)) {
      c[choice.token()]++;
    }
    return c;
  }

  @Test
  void topKKeepsOnlyTheKBestAndRenormalises() {
    float[] l = logitsOf(0.4, 0.3, 0.2, 0.1);
    int[] c = counts(l, new SamplingParams(1f, 2, 1f, 1f, 1L), 4000, null);
    assertEquals(0, c[2] + c[3]);
    assertEquals(4.0 / 7, c[0] / 4000.0, 0.03);
  }

  @Test
  void topPKeepsTheSmallestPrefixReachingP() {
    float[] l = logitsOf(0.5, 0.3, 0.15, 0.05);
    int[] c = counts(l, new SamplingParams(1f, 0, 0.7f, 1f, 2L), 4000, null);
    assertEquals(0, c[2] + c[3]);
    assertEquals(0.5 / 0.8, c[0] / 4000.0, 0.03);
    // the first token alone reaches p = 0.45: nothing else is kept
    int[] only = counts(l, new SamplingParams(1f, 0, 0.45f, 1f, 3L), 500, null);
    assertEquals(500, only[0]);
  }

  @Test
  void topPOverAWideFlatRowLooksBeyondTheFirstCandidates() {
    double[] p = new double[300];
    java.util.Arrays.fill(p, 1.0 / 300);
    int[] c = counts(logitsOf(p), new SamplingParams(1f, 0, 0.9f, 1f, 4L), 3000, null);
    long used = java.util.Arrays.stream(c).filter(x -> x > 0).count();
    assertTrue(used > 150, "top-p 0.9 of a flat row keeps about 270 tokens, saw " + used);
  }

  @Test
  void temperatureSharpensAndPlainSamplingFollowsSoftmax() {
    float[] l = logitsOf(0.6, 0.3, 0.1);
    int[] cold = counts(l, new SamplingParams(0.05f, 0, 1f, 1f, 5L), 500, null);
    assertEquals(500, cold[0]);
    int[] plain = counts(l, new SamplingParams(1f, 0, 1f, 1f, 6L), 5000, null);
    assertEquals(0.3, plain[1] / 5000.0, 0.03);
  }

  @Test
  void repetitionPenaltyDividesPositiveAndMultipliesNegativeLogits() {
    NDArray seen = m.create(new float[] {1, 0, 0, 1}, new Shape(1, 4));
    SamplingParams greedy = new SamplingParams(0f, 0, 1f, 2f, 0L);
    // 2.0 / 2 = 1.0 falls below 1.9
    assertEquals(1, counts(new float[] {2.0f, 1.9f, -5f, -5f}, greedy, 1, seen)[1]);
    // without the penalty token 0 wins
    assertEquals(1, counts(new float[] {2.0f, 1.9f, -5f, -5f}, SamplingParams.greedy(), 1, seen)[0]);
    // -1 * 2 = -2 falls below -1.5 (token 3 is seen and negative)
    assertEquals(1, counts(new float[] {-9f, -9f, -1.5f, -1f}, greedy, 1, seen)[2]);
  }

  @Test
  void rowsOfABatchKeepTheirOwnSettingsAndSeeds() {
    float[] row = logitsOf(0.25, 0.25, 0.25, 0.25);
    float[] two = new float[8];
    System.arraycopy(row, 0, two, 0, 4);
    System.arraycopy(row, 0, two, 4, 4);
    two[6] = 5f;
    NDArray x = m.create(two, new Shape(2, 4));
    SamplingParams s = new SamplingParams(1f, 0, 1f, 1f, 9L);
    RandomGenerator alone = new java.util.SplittableRandom(9L);
    RandomGenerator inBatch = new java.util.SplittableRandom(9L);
    RandomGenerator greedyRow = new java.util.SplittableRandom(1L);
    List<Integer> a = new ArrayList<>();
    List<Integer> b = new ArrayList<>();
    NDArray single = m.create(row, new Shape(1, 4));
    for (int i = 0; i < 50; i++) {
      a.add(LogitsSampler.choose(single, null, List.of(new LogitsSampler.Row(s, alone, 0)))[0]
          .token());
      var both = LogitsSampler.choose(x, null, List.of(new LogitsSampler.Row(s, inBatch, 0),
          new LogitsSampler.Row(SamplingParams.greedy(), greedyRow, 2)));
      b.add(both[0].token());
      assertEquals(2, both[1].token());
      assertEquals(2, both[1].logprobs().topTokens().length);
      assertNull(both[0].logprobs());
    }
    assertEquals(a, b);
  }

  @Test
  void keptProbabilitiesPureFunction() {
    float[] sorted = logitsOf(0.5, 0.3, 0.15, 0.05);
    assertArrayEquals(new double[] {0.5 / 0.8, 0.3 / 0.8},
        LogitsSampler.keptProbabilities(sorted, 0, 0.7f, 0.0), 1e-6);
    assertArrayEquals(new double[] {0.5 / 0.95, 0.3 / 0.95, 0.15 / 0.95},
        LogitsSampler.keptProbabilities(sorted, 3, 1f, Double.NaN), 1e-6);
    // candidates holding 0.35 of the mass cannot decide top_p 0.9
    float[] partial = logitsOf(0.2, 0.15);
    assertNull(LogitsSampler.keptProbabilities(partial, 0, 0.9f, 0.0));
    assertEquals(2, LogitsSampler.sampleIndex(new double[] {0.2, 0.3, 0.5}, 0.51));
  }
}
