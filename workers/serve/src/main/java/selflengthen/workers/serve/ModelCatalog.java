package selflengthen.workers.serve;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import selflengthen.model.api.LanguageModel;

/**
 * The model names a server answers to. Base models are loaded language models; adapters are names
 * for a base model plus a PEFT adapter directory, applied per request by the engine (so one loaded
 * base serves any number of adapters). Thread-safe: adapters can be added while serving.
 */
public final class ModelCatalog {
  private final Map<String, ServedModel> models = new LinkedHashMap<>();

  public synchronized ModelCatalog addBase(String name, LanguageModel model) {
    requireFreeName(name);
    models.put(name, new ServedModel(name, model, null, null));
    return this;
  }

  /**
   * Serves {@code adapterDir} (a PEFT adapter: adapter_config.json inside) on top of {@code base},
   * after the base's engine checked that the adapter fits it (configuration, tensor names and
   * shapes): a broken adapter is refused here, not at its first request.
   */
  public synchronized ModelCatalog addAdapter(String name, String base, Path adapterDir) {
    requireFreeName(name);
    ServedModel parent = models.get(base);
    if (parent == null || parent.isAdapter()) {
      throw new IllegalArgumentException(
          "no base model named " + base + " to put adapter " + name + " on");
    }
    Path dir = checkedAdapter(adapterDir);
    try {
      parent.model().checkAdapter(dir);
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(
          dir + " is not an adapter for " + base + ": " + describe(e), e);
    }
    models.put(name, new ServedModel(name, parent.model(), dir, base));
    return this;
  }

  public synchronized Optional<ServedModel> find(String name) {
    return Optional.ofNullable(models.get(name));
  }

  public synchronized List<ServedModel> all() {
    return new ArrayList<>(models.values());
  }

  /** The first base model added: where adapters loaded at run time go. */
  public synchronized Optional<ServedModel> defaultBase() {
    return models.values().stream().filter(m -> !m.isAdapter()).findFirst();
  }

  synchronized boolean removeAdapter(String name) {
    ServedModel model = models.get(name);
    if (model == null || !model.isAdapter()) {
      return false;
    }
    models.remove(name);
    return true;
  }

  static Path checkedAdapter(Path dir) {
    Path absolute = dir.toAbsolutePath().normalize();
    if (!Files.isRegularFile(absolute.resolve("adapter_config.json"))) {
      throw new IllegalArgumentException(
          absolute + " is not a PEFT adapter directory (no adapter_config.json)");
    }
    return absolute;
  }

  private static String describe(Exception e) {
    if (e instanceof java.nio.file.NoSuchFileException missing) {
      return missing.getFile() + (missing.getReason() == null ? " is missing" : ": " + missing.getReason());
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  private void requireFreeName(String name) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("a served model needs a name");
    }
    if (models.containsKey(name)) {
      throw new IllegalArgumentException("the model name " + name + " is already served");
    }
  }
}
