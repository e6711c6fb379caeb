package selflengthen.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import selflengthen.model.config.ModelConfig;
import selflengthen.model.config.RopeScaling;

/**
 * Rotary position tables, computed once in float32 the way transformers does (so a real
 * checkpoint sees the angles it was trained with), including Llama 3.1's frequency scaling.
 * {@code sinSigned} is [-sin, sin] over the two halves of a head, so that
 * {@code rope(x) = x * cos + swapHalves(x) * sinSigned}, one op fewer than rotate_half.
 */
final class RotaryEmbedding implements AutoCloseable {
  private final NDManager manager;
  private final float[] invFreq;
  private final int headDim;
  private NDArray cos;
  private NDArray sinSigned;
  private int length;

  RotaryEmbedding(ModelConfig config, NDManager manager) {
    this.manager = manager;
    this.headDim = config.headDim();
    this.invFreq = inverseFrequencies(config);
  }

  static float[] inverseFrequencies(ModelConfig config) {
    int dim = config.headDim();
    float[] inv = new float[dim / 2];
    for (int i = 0; i < inv.length; i++) {
      float exponent = (float) (2 * i) / dim;
      float p = (float) Math.pow(config.ropeTheta(), exponent);
      inv[i] = 1.0f / p;
    }
    RopeScaling s = config.ropeScaling();
    switch (s.type()) {
      case "linear" -> {
        for (int i = 0; i < inv.length; i++) {
          inv[i] = inv[i] / (float) s.factor();
        }
      }
      case "llama3" -> {
        float factor = (float) s.factor();
        float lowFactor = (float) s.lowFreqFactor();
        float highFactor = (float) s.highFreqFactor();
        float oldLen = s.originalMaxPositionEmbeddings();
        float lowWavelen = oldLen / lowFactor;
        float highWavelen = oldLen / highFactor;
        for (int i = 0; i < inv.length; i++) {
          float wavelen = (float) (2 * Math.PI) / inv[i];
          float scaled = wavelen > lowWavelen ? inv[i] / factor : inv[i];
          boolean medium = !(wavelen < highWavelen) && !(wavelen > lowWavelen);
          if (medium) {
            float smooth = (oldLen / wavelen - lowFactor) / (highFactor - lowFactor);
            scaled = (1 - smooth) * scaled / factor + smooth * scaled;
          }
          inv[i] = scaled;
        }
      }
      default -> { }
    }
    return inv;
  }

  /** Makes sure tables cover positions [0, n). */
  void ensure(int n) {
    if (n <= length) {
      return;
    }
    int newLength = Math.max(n, Math.max(256, length * 2));
    int half = headDim / 2;
    float[] c = new float[newLength * headDim];
    float[] s = new float[newLength * headDim];
    for (int p = 0; p < newLength; p++) {
      float t = p;
      for (int i = 0; i < half; i++) {
        float angle = t * invFreq[i];
        float cv = (float) Math.cos(angle);
        float sv = (float) Math.sin(angle);
        int base = p * headDim;
        c[base + i] = cv;
        c[base + half + i] = cv;
        s[base + i] = -sv;
        s[base + half + i] = sv;
      }
    }
    close();
    cos = manager.create(c, new Shape(newLength, headDim));
    sinSigned = manager.create(s, new Shape(newLength, headDim));
    // tables live as long as the model, whatever step scope asked for them
    ai.djl.ndarray.NDScope.unregister(cos, sinSigned);
    length = newLength;
  }

  NDArray cos() {
    return cos;
  }

  NDArray sinSigned() {
    return sinSigned;
  }

  @Override
  public void close() {
    if (cos != null) {
      cos.close();
      sinSigned.close();
    }
  }
}
