package selflengthen.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import java.util.Locale;

/**
 * Starts DJL's PyTorch engine the way this project needs it: offline (DJL otherwise phones home at
 * start), no telemetry, and a small intra-op thread pool unless the caller chose one.
 */
public final class Djl {
  private static volatile Engine engine;

  private Djl() {}

  public static Engine engine() {
    Engine e = engine;
    if (e == null) {
      synchronized (Djl.class) {
        e = engine;
        if (e == null) {
          defaultProperty("ai.djl.offline", "true");
          defaultProperty("OPT_OUT_TRACKING", "true");
          defaultProperty("ai.djl.pytorch.num_interop_threads", "1");
          defaultProperty("ai.djl.pytorch.graph_optimizer", "false");
          e = Engine.getEngine("PyTorch");
          engine = e;
        }
      }
    }
    return e;
  }

  /** Sets the intra-op thread count for the whole process (0 keeps PyTorch's choice). */
  public static void setThreads(int threads) {
    engine();
    if (threads > 0) {
      JniUtils.setNumThreads(threads);
    }
  }

  /** "cpu", "cuda", "cuda:N" or DJL names such as "gpu0". */
  public static Device device(String name) {
    engine();
    if (name == null || name.isBlank() || name.equalsIgnoreCase("cpu")) {
      return Device.cpu();
    }
    String n = name.trim().toLowerCase(Locale.ROOT);
    Device device;
    if (n.equals("cuda") || n.equals("gpu")) {
      device = Device.gpu(0);
    } else if (n.startsWith("cuda:")) {
      device = Device.gpu(Integer.parseInt(n.substring(5)));
    } else {
      device = Device.fromName(n, engine());
    }
    if (device.isGpu() && device.getDeviceId() >= engine().getGpuCount()) {
      throw new IllegalArgumentException(
          "device " + name + " is not available: this PyTorch engine sees "
              + engine().getGpuCount() + " GPU(s); add ai.djl.pytorch:pytorch-native-cu124 for CUDA");
    }
    return device;
  }

  /** Autograd on or off for the calling thread (PyTorch keeps this flag per thread). */
  public static void setGradMode(boolean enabled) {
    engine();
    JniUtils.setGradMode(enabled);
  }

  private static void defaultProperty(String key, String value) {
    if (System.getProperty(key) == null && System.getenv(key) == null) {
      System.setProperty(key, value);
    }
  }
}
