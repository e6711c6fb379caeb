package selflengthen.model.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import selflengthen.model.engine.Djl;

class OneDnnLinearTest {
  /**
   * Output sizes where libtorch's packed weights multiply wrongly (100, 1240, 1247: a vocabulary
   * like the demo's) and right (1216, 1248), rows from a decode step's 1 to a prefill's 300: the
   * products equal the plain kernel's either way, in float32 and (within bfloat16's precision,
   * and not exactly) with EngineOptions.bf16.
   */
  @ParameterizedTest(name = "bf16={0}")
  @ValueSource(booleans = {false, true})
  void productsEqualThePlainKernelForEveryShape(boolean bf16) {
    Djl.engine();
    // float32: the same products summed in another order; bfloat16: 8 significant bits in x and W
    float tolerance = bf16 ? 3e-2f : 1e-4f;
    try (NDManager manager = NDManager.newBaseManager();
        OneDnnLinear linear = OneDnnLinear.load(manager, bf16)) {
      for (int out : new int[] {100, 1216, 1240, 1247, 1248}) {
        for (int in : new int[] {128, 352}) {
          NDArray w = manager.randomNormal(new Shape(out, in));
          NDArray bias = manager.randomNormal(new Shape(out));
          for (int rows : new int[] {1, 7, 32, 300}) {
            try (NDScope scope = new NDScope()) {
              NDArray x = manager.randomNormal(new Shape(2, rows, in));
              NDArray plain = Ops.linear(x, w, bias);
              NDArray got = linear.apply(x, w, bias);
              assertTrue(got.getShape().equals(plain.getShape()), got.getShape().toString());
              float err = plain.sub(got).abs().max().getFloat();
              float scale = 1 + plain.abs().max().getFloat();
              assertTrue(err <= tolerance * scale && (!bf16 || err > 0),
                  "W " + out + "x" + in + ", " + rows + " rows: max difference " + err);
            }
          }
        }
      }
    }
  }
}
