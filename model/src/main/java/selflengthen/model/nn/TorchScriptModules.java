package selflengthen.model.nn;

import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.JniUtils;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The engine's TorchScript modules, kept as resources beside this class: how it reaches libtorch
 * operators DJL 0.36 does not expose (bfloat16 conversion, oneDNN's packed GEMM, the fused
 * layers). tools/torchscript/ writes them.
 */
final class TorchScriptModules {
  private TorchScriptModules() {}

  /** Loads resource {@code name}; throws when it is missing or libtorch cannot compile it. */
  static PtSymbolBlock load(PtNDManager manager, String name) {
    try (InputStream in = TorchScriptModules.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + name);
      }
      return JniUtils.loadModule(manager, in, false, false);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot load " + name, e);
    }
  }
}
