package selflengthen.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import selflengthen.model.nn.DecoderModel;
import selflengthen.model.nn.LoraDelta;

/**
 * The two computations of DPO (Rafailov et al., 2023): a sequence's log-probability under a
 * policy, summed over its response tokens only, and the sigmoid loss of a pair,
 * {@code -log sigmoid(beta * ((pi_c - ref_c) - (pi_r - ref_r)))}.
 */
final class DpoLoss {
  private DpoLoss() {}

  /**
   * Summed log-probabilities [n] of the response tokens of {@code samples}, in one right-padded
   * forward pass (differentiable when grad mode is on).
   */
  static NDArray sequenceLogProbs(DecoderModel model, LoraDelta delta,
      List<SftDataset.Sample> samples) {
    int n = samples.size();
    int len = 0;
    int count = 0;
    for (SftDataset.Sample s : samples) {
      len = Math.max(len, s.ids().length);
      count += s.ids().length - s.promptLength();
    }
    long[] tokens = new long[n * len];
    long[] rows = new long[count];
    long[] targets = new long[count];
    long[] index = new long[count];
    // segment[i][k] = 1 when response token k belongs to sequence i: the sum is one matmul
    float[] segment = new float[n * count];
    int k = 0;
    for (int i = 0; i < n; i++) {
      int[] ids = samples.get(i).ids();
      for (int t = 0; t < ids.length; t++) {
        tokens[i * len + t] = ids[t];
      }
      for (int t = samples.get(i).promptLength(); t < ids.length; t++) {
        rows[k] = (long) i * len + t - 1;
        targets[k] = ids[t];
        index[k] = k;
        segment[i * count + k] = 1f;
        k++;
      }
    }
    NDManager m = model.manager();
    NDArray hidden = model.hiddenStates(m.create(tokens, new Shape(n, len)), delta);
    NDArray picked = hidden.reshape(-1, hidden.getShape().get(2))
        .get(new NDIndex("{}", m.create(rows)));
    NDArray logp = model.logits(picked).logSoftmax(1);
    NDArray perToken = logp.get(new NDIndex("{}, {}", m.create(index), m.create(targets)));
    return m.create(segment, new Shape(n, count)).matMul(perToken.reshape(count, 1)).reshape(n);
  }

  /** The implicit reward margins [b]: beta * ((pi_c - ref_c) - (pi_r - ref_r)). */
  static NDArray margins(NDArray policyChosen, NDArray policyRejected, double[] refChosen,
      double[] refRejected, double beta) {
    NDManager m = policyChosen.getManager();
    float[] ref = new float[refChosen.length];
    for (int i = 0; i < ref.length; i++) {
      ref[i] = (float) (refChosen[i] - refRejected[i]);
    }
    return policyChosen.sub(policyRejected).sub(m.create(ref)).mul((float) beta);
  }

  /** -log sigmoid(z) per element, computed stably as max(-z, 0) + log(1 + exp(-|z|)). */
  static NDArray sigmoidLoss(NDArray margins) {
    return margins.neg().maximum(0f).add(margins.abs().neg().exp().add(1f).log());
  }

  /** The same loss for one pair in doubles. */
  static double sigmoidLoss(double margin) {
    return Math.max(-margin, 0) + Math.log1p(Math.exp(-Math.abs(margin)));
  }
}
