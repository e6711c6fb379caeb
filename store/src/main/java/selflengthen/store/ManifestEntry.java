package selflengthen.store;

import java.util.List;

/**
 * One line of runs/&lt;run&gt;/manifest.jsonl: a finished artifact (a file, or a directory such as
 * an adapter) with its checksum, size and lineage. {@code time} is an ISO-8601 instant.
 */
public record ManifestEntry(
    String path,
    String sha256,
    long rows,
    Producer producer,
    List<InputRef> inputs,
    List<ModelVersion> models,
    String time) {
  public ManifestEntry {
    inputs = inputs == null ? List.of() : List.copyOf(inputs);
    models = models == null ? List.of() : List.copyOf(models);
  }

  public static ManifestEntry of(String path, String sha256, long rows, Lineage lineage, String time) {
    return new ManifestEntry(
        path, sha256, rows, lineage.producer(), lineage.inputs(), lineage.models(), time);
  }
}
