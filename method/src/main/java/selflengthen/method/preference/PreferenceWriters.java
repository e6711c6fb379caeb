package selflengthen.method.preference;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Preference pairs on disk, each file written to a temporary sibling and moved into place:
 *
 * <ul>
 *   <li>{@link #writePairs}: every pair with its kind and lineage, one JSON object a line (this
 *       project's record; {@link #readPairs} reads it back);
 *   <li>{@link #writeLlamaFactory}: a LLaMA-Factory preference set, an Alpaca-form JSON array
 *       ({@code instruction}, {@code input}, {@code chosen}, {@code rejected}) and its {@code
 *       dataset_info.json} entry with {@code "ranking": true};
 *   <li>{@link #writeTrl}: TRL's conversational preference JSONL, {@code prompt} (the user message)
 *       with {@code chosen} and {@code rejected} (one assistant message each), in OpenAI's chat
 *       message form.
 * </ul>
 *
 * A pair whose rejected side has its own instruction (Suri-style) fits neither one-prompt format:
 * LLaMA-Factory's set leaves it out; the TRL file writes it in TRL's implicit-prompt form, whole
 * conversations for {@code chosen} and {@code rejected} and no {@code prompt} key. TRL then finds
 * no shared prompt and scores the user turns too, which is not Suri's conditional objective; the
 * in-process DPO trainer takes such pairs as they are.
 */
public final class PreferenceWriters {
  private static final ObjectMapper JSON = new ObjectMapper();

  private PreferenceWriters() {}

  /** Writes every pair, one JSON object a line (UTF-8, non-ASCII unescaped). */
  public static void writePairs(Path file, List<PreferencePair> pairs) throws IOException {
    Path tmp = temporarySibling(file);
    try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
      for (PreferencePair p : pairs) {
        w.write(JSON.writeValueAsString(p));
        w.write('\n');
      }
    }
    move(tmp, file);
  }

  public static List<PreferencePair> readPairs(Path file) throws IOException {
    List<PreferencePair> out = new ArrayList<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      if (!line.isBlank()) {
        out.add(JSON.readValue(line, PreferencePair.class));
      }
    }
    return out;
  }

  /**
   * Writes {@code <dir>/<name>.json} and adds (or replaces) the entry {@code name} in {@code
   * <dir>/dataset_info.json}, keeping its other entries. Returns how many pairs were written
   * (pairs with their own rejected instruction are left out).
   */
  public static int writeLlamaFactory(Path dir, String name, List<PreferencePair> pairs)
      throws IOException {
    Path file = dir.resolve(name + ".json");
    Path tmp = temporarySibling(file);
    int written = 0;
    try (OutputStream out = Files.newOutputStream(tmp);
        JsonGenerator gen = JSON.getFactory().createGenerator(out, JsonEncoding.UTF8)) {
      gen.setRootValueSeparator(null); // the separators are written by hand, one row a line
      gen.writeRaw("[");
      for (PreferencePair p : pairs) {
        if (p.promptDiffers()) {
          continue;
        }
        gen.writeRaw(written == 0 ? "\n" : ",\n");
        gen.writeStartObject();
        gen.writeStringField("instruction", p.prompt());
        gen.writeStringField("input", "");
        gen.writeStringField("chosen", p.chosen());
        gen.writeStringField("rejected", p.rejected());
        gen.writeEndObject();
        written++;
      }
      gen.writeRaw("\n]\n");
    }
    move(tmp, file);
    Path info = dir.resolve("dataset_info.json");
    ObjectNode root = Files.exists(info) ? (ObjectNode) JSON.readTree(info.toFile())
        : JSON.createObjectNode();
    root.set(name, datasetInfoEntry(name + ".json"));
    Path infoTmp = temporarySibling(info);
    JSON.writerWithDefaultPrettyPrinter().writeValue(infoTmp.toFile(), root);
    move(infoTmp, info);
    return written;
  }

  /** LLaMA-Factory's entry for an Alpaca-form preference file. */
  public static ObjectNode datasetInfoEntry(String fileName) {
    ObjectNode entry = JSON.createObjectNode();
    entry.put("file_name", fileName);
    entry.put("formatting", "alpaca");
    entry.put("ranking", true);
    ObjectNode columns = entry.putObject("columns");
    columns.put("prompt", "instruction");
    columns.put("query", "input");
    columns.put("chosen", "chosen");
    columns.put("rejected", "rejected");
    return entry;
  }

  /** Writes the TRL / OpenAI-message JSONL. */
  public static void writeTrl(Path file, List<PreferencePair> pairs) throws IOException {
    Path tmp = temporarySibling(file);
    try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
      for (PreferencePair p : pairs) {
        ObjectNode row = JSON.createObjectNode();
        if (p.promptDiffers()) {
          conversation(row.putArray("chosen"), p.prompt(), p.chosen());
          conversation(row.putArray("rejected"), p.rejectedPrompt(), p.rejected());
        } else {
          message(row.putArray("prompt").addObject(), "user", p.prompt());
          message(row.putArray("chosen").addObject(), "assistant", p.chosen());
          message(row.putArray("rejected").addObject(), "assistant", p.rejected());
        }
        w.write(JSON.writeValueAsString(row));
        w.write('\n');
      }
    }
    move(tmp, file);
  }

  private static void conversation(com.fasterxml.jackson.databind.node.ArrayNode a, String user,
      String assistant) {
    message(a.addObject(), "user", user);
    message(a.addObject(), "assistant", assistant);
  }

  private static void message(ObjectNode m, String role, String content) {
    m.put("role", role);
    m.put("content", content);
  }

  private static Path temporarySibling(Path file) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    return Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
  }

  private static void move(Path tmp, Path file) throws IOException {
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
