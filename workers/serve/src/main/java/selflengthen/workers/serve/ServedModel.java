package selflengthen.workers.serve;

import java.nio.file.Path;
import selflengthen.model.api.LanguageModel;

/**
 * A name the server answers to: a loaded base model, or a base model with a PEFT adapter applied
 * per request ({@code adapter} non-null, {@code parent} the base's served name).
 */
public record ServedModel(String name, LanguageModel model, Path adapter, String parent) {

  public boolean isAdapter() {
    return adapter != null;
  }

  /** The adapter directory as the engine's GenerationRequest wants it, or null for the base. */
  String adapterForRequest() {
    return adapter == null ? null : adapter.toString();
  }
}
