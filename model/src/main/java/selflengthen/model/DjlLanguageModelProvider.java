package selflengthen.model;

import java.nio.file.Path;
import selflengthen.model.api.LanguageModel;
import selflengthen.model.api.LanguageModelProvider;

/** The in-process DJL engine as a {@link LanguageModelProvider} (found through ServiceLoader). */
public final class DjlLanguageModelProvider implements LanguageModelProvider {
  @Override
  public LanguageModel open(Path dir, String device) {
    return Models.open(dir, EngineOptions.defaults().withDevice(device == null ? "cpu" : device));
  }
}
