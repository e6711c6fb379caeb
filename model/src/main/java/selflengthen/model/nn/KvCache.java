package selflengthen.model.nn;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import selflengthen.model.config.ModelConfig;

/**
 * Keys and values of every layer for a fixed number of sequence slots, preallocated once:
 * [slots, kvHeads, capacity, headDim] per layer. Each step writes its new positions in place;
 * attention reads a view of the first columns. Zero-filled so that columns not yet written hold
 * finite values (masked scores still multiply them).
 */
public final class KvCache implements AutoCloseable {
  private final NDArray[] keys;
  private final NDArray[] values;
  private final int slots;
  private final int capacity;

  public KvCache(ModelConfig c, int slots, int capacity, NDManager manager, Device device) {
    this.slots = slots;
    this.capacity = capacity;
    keys = new NDArray[c.numLayers()];
    values = new NDArray[c.numLayers()];
    Shape shape = new Shape(slots, c.numKvHeads(), capacity, c.headDim());
    for (int l = 0; l < keys.length; l++) {
      keys[l] = manager.zeros(shape, DataType.FLOAT32, device);
      values[l] = manager.zeros(shape, DataType.FLOAT32, device);
      ai.djl.ndarray.NDScope.unregister(keys[l], values[l]);
    }
  }

  public static long bytes(ModelConfig c, int slots, int capacity) {
    return 2L * c.numLayers() * slots * c.numKvHeads() * capacity * c.headDim() * 4;
  }

  int layers() {
    return keys.length;
  }

  public int slots() {
    return slots;
  }

  public int capacity() {
    return capacity;
  }

  NDArray keys(int layer) {
    return keys[layer];
  }

  NDArray values(int layer) {
    return values[layer];
  }

  /** Copies the first {@code length} positions of slot {@code from} into slot {@code to}. */
  public void moveSlot(int from, int to, int length) {
    if (length <= 0 || from == to) {
      return;
    }
    NDIndex src = new NDIndex().addIndices(from).addAllDim().addSliceDim(0, length);
    NDIndex dst = new NDIndex().addIndices(to).addAllDim().addSliceDim(0, length);
    for (int l = 0; l < keys.length; l++) {
      for (NDArray a : new NDArray[] {keys[l], values[l]}) {
        try (NDArray row = a.get(src)) {
          a.set(dst, row);
        }
      }
    }
  }

  @Override
  public void close() {
    for (int l = 0; l < keys.length; l++) {
      keys[l].close();
      values[l].close();
    }
  }
}
