package selflengthen.model.engine;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import java.io.IOException;
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

  /** PyTorch's intra-op thread count. */
  public static int threads() {
    engine();
    return JniUtils.getNumThreads();
  }

  /** Sets the intra-op thread count for the whole process (0 keeps PyTorch's choice). */
  public static void setThreads(int threads) {
    engine();
    if (threads > 0) {
      JniUtils.setNumThreads(threads);
    }
  }

  /** Work that {@link #onFreshThread} runs. */
  @FunctionalInterface
  public interface Work<T> {
    T run() throws IOException;
  }

  /**
   * Runs one-off tensor work (loading a model, allocating its cache) on a thread that ends
   * afterwards, and returns its result or rethrows its failure.
   *
   * <p>Why: OpenMP keeps a team of worker threads for every thread that ran a parallel op, for as
   * long as that thread lives. Once a process holds more such threads than cores, libgomp stops
   * spinning between parallel regions and every op pays a futex wake-up. Measured on the small
   * preset (2 cores, 2 threads): a batch-1 decode step took 14.5 ms on the engine's thread when
   * the model had been loaded on the caller's thread, 12.0 ms when loaded on a thread that had
   * ended, 10-11 ms with a single thread doing everything. Keeping one-off work off long-lived
   * threads leaves the generation thread's team alone.
   */
  public static <T> T onFreshThread(String name, Work<T> work) throws IOException {
    Object[] result = new Object[1];
    Throwable[] failure = new Throwable[1];
    Thread t = new Thread(() -> {
      try {
        result[0] = work.run();
      } catch (Throwable e) {
        failure[0] = e;
      }
    }, name);
    t.start();
    try {
      t.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for " + name, e);
    }
    Throwable e = failure[0];
    if (e instanceof IOException io) {
      throw io;
    } else if (e instanceof RuntimeException r) {
      throw r;
    } else if (e instanceof Error err) {
      throw err;
    } else if (e != null) {
      throw new IllegalStateException(e);
    }
    @SuppressWarnings("unchecked")
    T value = (T) result[0];
    return value;
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
              + engine().getGpuCount() + " GPU(s); add ai.djl.pytorch:pytorch-native-cu128:2.7.1:linux-x86_64 for CUDA");
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
