package selflengthen.activities.support;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import selflengthen.eval.EvalInputException;
import selflengthen.eval.JsonlRow;
import selflengthen.eval.JsonlRows;
import selflengthen.store.Checksums;
import selflengthen.store.DataStore;
import selflengthen.store.InputRef;
import selflengthen.store.Layout;
import selflengthen.store.ManifestEntry;
import selflengthen.v1.DatasetRef;
import selflengthen.v1.StageContext;

/**
 * Brings spec.evaluation's benchmark file into the store, so workers on any machine read the same
 * rows. A copy the manifest already records is kept: a resumed run or evaluation answers what its
 * earlier shards answered.
 */
public final class EvalDatasets {
  private EvalDatasets() {}

  /**
   * The recorded copy at {@code path}, or a fresh copy of {@code file} (already checked row by row
   * by the spec validator).
   */
  public static DatasetRef ensure(DataStore store, StageContext context, String file, String path) {
    String run = Layout.runOf(path).orElseThrow();
    Optional<ManifestEntry> recorded = store.manifest(run).latest(path);
    if (recorded.isPresent() && store.isComplete(path)) {
      return DatasetRef.newBuilder()
          .setPath(path)
          .setCount(recorded.get().rows())
          .setSha256(recorded.get().sha256())
          .build();
    }
    List<JsonNode> rows = new ArrayList<>();
    try {
      for (JsonlRow row : JsonlRows.read(Path.of(file))) {
        rows.add(row.node());
      }
    } catch (EvalInputException e) {
      throw ActivityErrors.badInput("evaluation.dataset: " + e.getMessage(), e);
    }
    DatasetRef ref = store.writeJsonl(path, rows);
    InputRef source;
    try {
      source = new InputRef(Path.of(file).toAbsolutePath().normalize().toString(), Checksums.sha256(Path.of(file)));
    } catch (IOException e) {
      throw ActivityErrors.badInput("evaluation.dataset: cannot read " + file + ": " + e.getMessage(), e);
    }
    store.record(ref, Lineages.of(context, List.of(source)));
    return ref;
  }
}
