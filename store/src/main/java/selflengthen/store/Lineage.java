package selflengthen.store;

import java.util.List;

/** Where an artifact comes from: its producer, its inputs and the models that made it. */
public record Lineage(Producer producer, List<InputRef> inputs, List<ModelVersion> models) {
  public Lineage {
    inputs = inputs == null ? List.of() : List.copyOf(inputs);
    models = models == null ? List.of() : List.copyOf(models);
  }

  public static Lineage of(Producer producer) {
    return new Lineage(producer, List.of(), List.of());
  }
}
