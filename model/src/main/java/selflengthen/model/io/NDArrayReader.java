package selflengthen.model.io;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;

/**
 * Copies safetensors tensors into float32 NDArrays on a device, through one reusable staging
 * buffer and in row chunks, so the peak extra memory is one chunk whatever the tensor size (an
 * embedding table can exceed the 2 GB limit of a Java buffer). Several source tensors can fill
 * consecutive row ranges of one destination: that is how q/k/v and gate/up get fused at load.
 */
public final class NDArrayReader {
  private static final int STAGING_BYTES = 1 << 27;

  private final NDManager manager;
  private final Device device;
  private ByteBuffer staging;

  /** One source tensor and the first destination row it fills. */
  public record Part(TensorInfo tensor, long rowOffset) {}

  public NDArrayReader(NDManager manager, Device device) {
    this.manager = manager;
    this.device = device;
  }

  /** Checks a tensor's shape, naming it in the error when it differs. */
  public static void checkShape(TensorInfo t, long... expected) {
    if (!Arrays.equals(t.shape(), expected)) {
      throw new IllegalArgumentException("tensor '" + t.name() + "' has shape "
          + t.shapeString() + " but the model config implies " + Arrays.toString(expected));
    }
  }

  public NDArray read(TensorInfo t) throws IOException {
    return read(new Shape(t.shape()), List.of(new Part(t, 0)));
  }

  public NDArray read(Shape shape, List<Part> parts) throws IOException {
    long rowElems = shape.dimension() <= 1 ? 1 : shape.size() / shape.get(0);
    long rows = shape.dimension() == 0 ? 1 : shape.get(0);
    NDArray dest = manager.create(shape, DataType.FLOAT32, device);
    ai.djl.ndarray.NDScope.unregister(dest);
    try {
      long rowBytes = rowElems * 4;
      long rowsPerChunk = Math.max(1, STAGING_BYTES / rowBytes);
      for (Part part : parts) {
        long partRows = part.tensor().elements() / rowElems;
        if (part.rowOffset() + partRows > rows) {
          throw new IllegalArgumentException("tensor '" + part.tensor().name()
              + "' does not fit rows " + part.rowOffset() + ".." + (part.rowOffset() + partRows)
              + " of " + shape);
        }
        for (long r = 0; r < partRows; r += rowsPerChunk) {
          long n = Math.min(rowsPerChunk, partRows - r);
          ByteBuffer buf = staging(n * rowBytes);
          SafetensorsFile.readFloat32(part.tensor(), r * rowElems, n * rowElems, buf);
          buf.flip();
          Shape chunkShape = shape.dimension() <= 1
              ? new Shape(n)
              : new Shape(n).addAll(shape.slice(1));
          try (NDArray chunk = manager.create(buf, chunkShape, DataType.FLOAT32)) {
            long start = part.rowOffset() + r;
            if (device.equals(chunk.getDevice())) {
              dest.set(new NDIndex().addSliceDim(start, start + n), chunk);
            } else {
              try (NDArray moved = chunk.toDevice(device, true)) {
                dest.set(new NDIndex().addSliceDim(start, start + n), moved);
              }
            }
          }
        }
      }
      return dest;
    } catch (IOException | RuntimeException e) {
      dest.close();
      throw e;
    }
  }

  private ByteBuffer staging(long bytes) {
    if (staging == null || staging.capacity() < bytes) {
      staging = ByteBuffer.allocateDirect((int) Math.max(bytes, Math.min(STAGING_BYTES, 1 << 20)))
          .order(ByteOrder.nativeOrder());
    }
    staging.clear();
    staging.limit((int) bytes);
    return staging;
  }
}
