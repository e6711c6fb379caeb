package selflengthen.model.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import selflengthen.model.engine.Djl;

class BlockedLinearTest {
  @Test
  void blockedProductEqualsThePlainLinearForEveryRowCountAndBlockCount() {
    Djl.engine();
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray w = m.randomNormal(new Shape(12, 5));
      NDArray b = m.randomNormal(new Shape(12));
      for (int blocks : new int[] {2, 3, 4}) {
        try (BlockedLinear linear = new BlockedLinear(blocks, Device.cpu())) {
          assertTrue(linear.enabled());
          for (int rows : new int[] {1, 2, 7, BlockedLinear.MAX_ROWS}) {
            NDArray x = m.randomNormal(new Shape(rows, 5));
            assertClose(Ops.linear(x, w, b), linear.apply(x, w, b), blocks + " blocks, " + rows + " rows");
            assertClose(Ops.linear(x, w, null), linear.apply(x, w, null), "no bias");
            NDArray x3 = x.reshape(1, rows, 5);
            NDArray y3 = linear.apply(x3, w, b);
            assertEquals(new Shape(1, rows, 12), y3.getShape());
            assertClose(Ops.linear(x3, w, b), y3, "3-d input");
          }
        }
      }
    }
  }

  @Test
  void outputsThatDoNotSplitEvenlyAndManyRowsTakeThePlainKernel() {
    Djl.engine();
    try (NDManager m = NDManager.newBaseManager();
        BlockedLinear linear = new BlockedLinear(2, Device.cpu())) {
      NDArray odd = m.randomNormal(new Shape(7, 4));
      NDArray x = m.randomNormal(new Shape(3, 4));
      assertClose(Ops.linear(x, odd, null), linear.apply(x, odd, null), "odd output size");
      NDArray many = m.randomNormal(new Shape(BlockedLinear.MAX_ROWS + 1, 4));
      NDArray w = m.randomNormal(new Shape(8, 4));
      assertClose(Ops.linear(many, w, null), linear.apply(many, w, null), "many rows");
    }
    assertFalse(new BlockedLinear(1, Device.cpu()).enabled(), "one thread: nothing to spread");
    assertFalse(new BlockedLinear(8, Device.gpu(0)).enabled(), "GPU: the plain kernel");
  }

  private static void assertClose(NDArray expected, NDArray actual, String what) {
    assertEquals(expected.getShape(), actual.getShape(), what);
    assertArrayEquals(expected.toFloatArray(), actual.toFloatArray(), 1e-5f, what);
  }
}
