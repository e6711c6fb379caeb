package selflengthen.model.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import selflengthen.model.nn.LoraFactors;
import selflengthen.model.nn.Projection;

/** A LoRA adapter laid out for generation: delta = (x A_stacked^T) B_block^T per projection. */
public final class FusedLora implements LoraFactors, AutoCloseable {
  private final NDManager manager;
  private final NDArray[][] a;
  private final NDArray[][] b;

  FusedLora(NDManager manager, NDArray[][] a, NDArray[][] b) {
    this.manager = manager;
    this.a = a;
    this.b = b;
  }

  @Override
  public NDArray delta(int layer, Projection projection, NDArray input) {
    NDArray stacked = a[layer][projection.ordinal()];
    if (stacked == null) {
      return null;
    }
    NDArray h = input.getNDArrayInternal().linear(input, stacked, null).singletonOrThrow();
    return h.getNDArrayInternal().linear(h, b[layer][projection.ordinal()], null).singletonOrThrow();
  }

  @Override
  public NDArray a(int layer, Projection p) {
    return a[layer][p.ordinal()];
  }

  @Override
  public NDArray b(int layer, Projection p) {
    return b[layer][p.ordinal()];
  }

  @Override
  public void close() {
    manager.close();
  }
}
