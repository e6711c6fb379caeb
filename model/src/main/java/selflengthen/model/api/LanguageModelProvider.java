package selflengthen.model.api;

import java.nio.file.Path;

/**
 * Opens a checkpoint directory as a {@link LanguageModel}. Engines register an implementation with
 * {@link java.util.ServiceLoader} (META-INF/services), so executables such as {@code serve} can
 * load models without a compile-time dependency on a particular engine.
 */
public interface LanguageModelProvider {
  /** {@code device} is "cpu" or "cuda:N". */
  LanguageModel open(Path dir, String device);
}
