package selflengthen.model.generate;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import selflengthen.model.config.ModelConfig;
import selflengthen.model.lora.FusedLora;
import selflengthen.model.lora.LoraWeights;

/** PEFT adapters loaded once and kept (least recently used evicted), keyed by directory. */
final class AdapterCache implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AdapterCache.class);

  private final ModelConfig config;
  private final NDManager manager;
  private final int capacity;
  private final Map<String, FusedLora> loaded = new LinkedHashMap<>(16, 0.75f, true);

  AdapterCache(ModelConfig config, NDManager manager, int capacity) {
    this.config = config;
    this.manager = manager;
    this.capacity = capacity;
  }

  /** The adapter for a key (null: the base model, no adapter). Call on the engine thread. */
  FusedLora get(String key) throws IOException {
    if (key == null) {
      return null;
    }
    FusedLora f = loaded.get(key);
    if (f != null) {
      return f;
    }
    long start = System.nanoTime();
    try (LoraWeights w = LoraWeights.load(Path.of(key), config, manager, manager.getDevice())) {
      f = w.fused(manager);
    }
    LOG.info("loaded adapter {} in {} ms", key, (System.nanoTime() - start) / 1_000_000);
    while (loaded.size() >= capacity) {
      var eldest = loaded.entrySet().iterator().next();
      eldest.getValue().close();
      loaded.remove(eldest.getKey());
    }
    loaded.put(key, f);
    return f;
  }

  @Override
  public void close() {
    loaded.values().forEach(FusedLora::close);
    loaded.clear();
  }
}
