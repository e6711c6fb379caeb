package selflengthen.model.io;

import java.nio.ByteBuffer;
import java.util.function.Supplier;

/**
 * A tensor to write: name, shape and a supplier of its float32 values (native order), called only
 * when the writer reaches it so that one tensor at a time is copied out of the engine.
 */
public record TensorSource(String name, long[] shape, Supplier<ByteBuffer> float32) {
  public long elements() {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    return n;
  }
}
