package selflengthen.model.io;

import java.nio.file.Path;
import java.util.Arrays;

/** Where one tensor lives: its file, element type, shape and byte range after the header. */
public record TensorInfo(String name, DType dtype, long[] shape, Path file, long offset, long length) {

  public long elements() {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    return n;
  }

  public String shapeString() {
    return Arrays.toString(shape);
  }
}
