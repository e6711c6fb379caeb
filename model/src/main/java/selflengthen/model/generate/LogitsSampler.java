package selflengthen.model.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.random.RandomGenerator;
import selflengthen.model.api.SamplingParams;

/**
 * Chooses the next token of every row of a batch, each row with its own sampling settings and
 * random stream, in the order transformers applies them: repetition penalty (over prompt and
 * output tokens), temperature, top-k, top-p. The batch-wide work (penalty, scaling, one top-k)
 * runs as a handful of tensor ops; the per-row choice among the few surviving candidates runs in
 * Java, so a row's draw depends only on its own seed, whatever else shares the batch.
 */
public final class LogitsSampler {
  /** Candidates fetched per row for top-p without top-k before falling back to more. */
  static final int TOP_P_CANDIDATES = 64;

  private LogitsSampler() {}

  /** A row's settings: its sampling, random stream and how many top log-probs to report. */
  public record Row(SamplingParams params, RandomGenerator random, int topLogprobs) {}

  public record Choice(int token, TokenLogprobs logprobs) {}

  /**
   * @param logits [rows, vocab] raw model outputs
   * @param seen [rows, vocab] 1 where the token occurred in the row's prompt or output (null
   *     when no row uses a repetition penalty)
   */
  public static Choice[] choose(NDArray logits, NDArray seen, List<Row> rows) {
    int n = rows.size();
    int vocab = (int) logits.getShape().get(1);
    NDManager m = logits.getManager();
    NDArray work = logits;
    boolean penalty = false;
    boolean sampling = false;
    int kMax = 0;
    boolean needLse = false;
    int topLogprobs = 0;
    for (Row r : rows) {
      SamplingParams p = r.params();
      penalty |= p.repetitionPenalty() != 1f;
      topLogprobs = Math.max(topLogprobs, r.topLogprobs());
      if (!p.isGreedy()) {
        sampling = true;
        kMax = Math.max(kMax, candidates(p, vocab));
        needLse |= p.topK() <= 0;
      }
    }
    if (penalty && seen != null) {
      work = applyPenalty(work, seen, rows);
    }
    long[] argmax = work.argMax(1).toLongArray();
    Choice[] out = new Choice[n];
    float[] topValues = null;
    long[] topIds = null;
    float[] lse = null;
    NDArray scaled = null;
    if (sampling) {
      float[] temps = new float[n];
      for (int i = 0; i < n; i++) {
        SamplingParams p = rows.get(i).params();
        temps[i] = p.isGreedy() ? 1f : p.temperature();
      }
      scaled = work.div(m.create(temps, new Shape(n, 1)));
      if (kMax > 0) {
        NDList top = scaled.topK(kMax, 1, true, true);
        topValues = top.get(0).toFloatArray();
        topIds = top.get(1).toLongArray();
      }
      if (needLse) {
        NDArray max = scaled.max(new int[] {1}, true);
        lse = scaled.sub(max).exp().sum(new int[] {1}, true).log().add(max).toFloatArray();
      }
    }
    int[] tokens = new int[n];
    for (int i = 0; i < n; i++) {
      Row r = rows.get(i);
      SamplingParams p = r.params();
      if (p.isGreedy()) {
        tokens[i] = (int) argmax[i];
        continue;
      }
      double u = r.random().nextDouble();
      if (p.topK() <= 0 && p.topP() >= 1f) {
        tokens[i] = sampleFullRow(scaled.get(i).toFloatArray(), u);
        continue;
      }
      int k = candidates(p, vocab);
      float[] vals = new float[k];
      long[] ids = new long[k];
      System.arraycopy(topValues, i * kMax, vals, 0, k);
      System.arraycopy(topIds, i * kMax, ids, 0, k);
      double rowLse = p.topK() > 0 ? Double.NaN : lse[i];
      double[] probs = keptProbabilities(vals, p.topK(), p.topP(), rowLse);
      if (probs == null) {
        // the first candidates hold less than top_p of the mass: look at the whole row
        NDList all = scaled.get(i).topK(vocab, 0, true, true);
        vals = all.get(0).toFloatArray();
        ids = all.get(1).toLongArray();
        probs = keptProbabilities(vals, 0, p.topP(), rowLse);
      }
      tokens[i] = (int) ids[sampleIndex(probs, u)];
    }
    if (topLogprobs > 0) {
      NDArray logp = logits.logSoftmax(1);
      NDList top = logp.topK(Math.min(topLogprobs, vocab), 1, true, true);
      float[] tv = top.get(0).toFloatArray();
      long[] ti = top.get(1).toLongArray();
      int k = (int) top.get(0).getShape().get(1);
      long[] rowIdx = new long[n];
      long[] tokIdx = new long[n];
      for (int i = 0; i < n; i++) {
        rowIdx[i] = i;
        tokIdx[i] = tokens[i];
      }
      float[] chosen = logp.get(new NDIndex("{}, {}", m.create(rowIdx), m.create(tokIdx)))
          .toFloatArray();
      for (int i = 0; i < n; i++) {
        int want = Math.min(rows.get(i).topLogprobs(), k);
        TokenLogprobs lp = null;
        if (want > 0) {
          int[] ids = new int[want];
          float[] vals = new float[want];
          for (int j = 0; j < want; j++) {
            ids[j] = (int) ti[i * k + j];
            vals[j] = tv[i * k + j];
          }
          lp = new TokenLogprobs(tokens[i], chosen[i], ids, vals);
        }
        out[i] = new Choice(tokens[i], lp);
      }
    } else {
      for (int i = 0; i < n; i++) {
        out[i] = new Choice(tokens[i], null);
      }
    }
    return out;
  }

  private static int candidates(SamplingParams p, int vocab) {
    if (p.topK() > 0) {
      return Math.min(p.topK(), vocab);
    }
    return p.topP() < 1f ? Math.min(TOP_P_CANDIDATES, vocab) : 0;
  }

  /** logit / p where positive, logit * p where negative, for tokens already seen. */
  static NDArray applyPenalty(NDArray logits, NDArray seen, List<Row> rows) {
    int n = rows.size();
    float[] pen = new float[n];
    float[] inv = new float[n];
    for (int i = 0; i < n; i++) {
      pen[i] = rows.get(i).params().repetitionPenalty();
      inv[i] = 1f / pen[i];
    }
    NDManager m = logits.getManager();
    NDArray p = m.create(pen, new Shape(n, 1));
    NDArray diff = m.create(inv, new Shape(n, 1)).sub(p);
    NDArray factor = logits.gt(0f).toType(DataType.FLOAT32, false).mul(diff).add(p);
    NDArray effective = seen.mul(factor.sub(1f)).add(1f);
    return logits.mul(effective);
  }

  /**
   * Probabilities of the candidates that survive top-k and top-p, renormalised.
   *
   * @param sorted candidate logits (temperature applied), in descending order
   * @param topK 0 for none; otherwise the candidates are exactly the top-k and are renormalised
   *     among themselves before top-p, as transformers does
   * @param lse log-sum-exp of the whole row when topK is 0 (exact probabilities), else NaN
   * @return null when topK is 0 and the candidates hold less than topP of the mass
   */
  public static double[] keptProbabilities(float[] sorted, int topK, float topP, double lse) {
    int k = topK > 0 ? Math.min(topK, sorted.length) : sorted.length;
    double[] probs = new double[k];
    if (topK > 0) {
      double max = sorted[0];
      double z = 0;
      for (int i = 0; i < k; i++) {
        probs[i] = Math.exp(sorted[i] - max);
        z += probs[i];
      }
      for (int i = 0; i < k; i++) {
        probs[i] /= z;
      }
    } else {
      for (int i = 0; i < k; i++) {
        probs[i] = Math.exp(sorted[i] - lse);
      }
    }
    int kept = k;
    if (topP < 1f) {
      double before = 0;
      kept = 0;
      while (kept < k && (kept == 0 || before < topP)) {
        before += probs[kept];
        kept++;
      }
      if (topK <= 0 && before < topP && !fullRow(sorted, lse)) {
        return null;
      }
    }
    double z = 0;
    for (int i = 0; i < kept; i++) {
      z += probs[i];
    }
    double[] out = new double[kept];
    for (int i = 0; i < kept; i++) {
      out[i] = probs[i] / z;
    }
    return out;
  }

  /** True when the candidates already hold (numerically) all of the row's mass. */
  private static boolean fullRow(float[] sorted, double lse) {
    double total = 0;
    for (float v : sorted) {
      total += Math.exp(v - lse);
    }
    return total > 1 - 1e-6;
  }

  /** Inverse CDF: the first index whose cumulative probability exceeds u. */
  public static int sampleIndex(double[] probs, double u) {
    double c = 0;
    for (int i = 0; i < probs.length; i++) {
      c += probs[i];
      if (u < c) {
        return i;
      }
    }
    return probs.length - 1;
  }

  /** Softmax sampling over a whole row (no top-k, no top-p). */
  static int sampleFullRow(float[] logits, double u) {
    double max = Double.NEGATIVE_INFINITY;
    for (float v : logits) {
      max = Math.max(max, v);
    }
    double z = 0;
    for (float v : logits) {
      z += Math.exp(v - max);
    }
    double target = u * z;
    double c = 0;
    for (int i = 0; i < logits.length; i++) {
      c += Math.exp(logits[i] - max);
      if (target < c) {
        return i;
      }
    }
    return logits.length - 1;
  }
}
