package selflengthen.activities.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import java.io.IOException;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import selflengthen.store.DataStore;
import selflengthen.store.Lineage;
import selflengthen.store.ManifestEntry;
import selflengthen.v1.DatasetRef;

/**
 * What an activity returned for an artifact, kept next to it ({@code <artifact>.result.json}) so a
 * repeated call returns the same result at once. The record names the artifact's checksum: it
 * counts only while the manifest's latest entry for the artifact has that checksum and the
 * artifact on disk still matches it, so a changed or half-replaced artifact is made again.
 *
 * <p>Order of writing: the artifact, then this record, then the manifest entry. A crash in between
 * leaves no manifest entry, and the work is redone (deterministically) on the next call.
 */
public final class RecordedResults {
  private static final Logger log = LoggerFactory.getLogger(RecordedResults.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonFormat.Printer PRINTER =
      JsonFormat.printer().preservingProtoFieldNames().omittingInsignificantWhitespace();
  private static final JsonFormat.Parser PARSER = JsonFormat.parser().ignoringUnknownFields();

  private RecordedResults() {}

  /** Where the result of {@code artifact} is kept. */
  public static String resultPath(String artifact) {
    return artifact + ".result.json";
  }

  /** The recorded result of a complete artifact, or empty when the artifact must be made (again). */
  @SuppressWarnings("unchecked")
  public static <T extends Message> Optional<T> completed(DataStore store, String artifact, T prototype) {
    Optional<ManifestEntry> entry = store.manifest(runOf(artifact)).latest(artifact);
    if (entry.isEmpty() || !store.exists(resultPath(artifact)) || !store.isComplete(artifact)) {
      return Optional.empty();
    }
    try {
      JsonNode record = JSON.readTree(store.readString(resultPath(artifact)));
      if (!entry.get().sha256().equals(record.path("sha256").asText())) {
        return Optional.empty();
      }
      Message.Builder b = prototype.newBuilderForType();
      PARSER.merge(JSON.writeValueAsString(record.path("result")), b);
      return Optional.of((T) b.build());
    } catch (IOException | RuntimeException e) {
      log.warn("{}: unreadable result record, making the artifact again: {}", artifact, e.getMessage());
      return Optional.empty();
    }
  }

  /** Records a finished dataset (its reference carries rows and checksum) with its result. */
  public static ManifestEntry record(DataStore store, DatasetRef ref, Lineage lineage, Message result) {
    String sha = ref.getSha256().isEmpty() ? store.sha256(ref.getPath()) : ref.getSha256();
    DatasetRef withSha = ref.toBuilder().setSha256(sha).build();
    writeRecord(store, ref.getPath(), sha, result);
    return store.record(withSha, lineage);
  }

  /** Records a finished artifact (a file or a directory, checksummed now) with its result. */
  public static ManifestEntry record(
      DataStore store, String artifact, long rows, Lineage lineage, Message result) {
    return record(
        store,
        DatasetRef.newBuilder().setPath(artifact).setCount(rows).setSha256(store.sha256(artifact)).build(),
        lineage,
        result);
  }

  private static void writeRecord(DataStore store, String artifact, String sha, Message result) {
    ObjectNode record = JSON.createObjectNode();
    record.put("artifact", artifact);
    record.put("sha256", sha);
    record.put("type", result.getDescriptorForType().getFullName());
    try {
      record.set("result", JSON.readTree(PRINTER.print(result)));
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("cannot print " + result.getDescriptorForType().getFullName(), e);
    } catch (IOException e) {
      throw new IllegalStateException("cannot re-read printed JSON", e);
    }
    store.writeJson(resultPath(artifact), record);
  }

  private static String runOf(String path) {
    return selflengthen.store.Layout.runOf(path)
        .orElseThrow(() -> ActivityErrors.badInput("'" + path + "' is not inside a run (runs/<run>/...)"));
  }
}
