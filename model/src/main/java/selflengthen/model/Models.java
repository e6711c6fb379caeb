package selflengthen.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import selflengthen.model.api.LanguageModel;
import selflengthen.model.generate.DjlLanguageModel;

/** Entry point: open a Hugging Face checkpoint directory (Qwen2 or Llama) as a LanguageModel. */
public final class Models {
  private Models() {}

  public static DjlLanguageModel open(Path dir, EngineOptions options) {
    try {
      return DjlLanguageModel.open(dir, options);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static LanguageModel open(Path dir) {
    return open(dir, EngineOptions.defaults());
  }
}
