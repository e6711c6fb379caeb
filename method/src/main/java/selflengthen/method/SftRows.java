package selflengthen.method;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.MinimalPrettyPrinter;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.DoubleSupplier;
import java.util.random.RandomGenerator;
import selflengthen.model.api.SftExample;

/**
 * The training sets of a round (step 5 of a round), as {@link SftExample} rows in Alpaca /
 * LLaMA-Factory form ({@code instruction}, {@code input}, {@code output}), and the files
 * LLaMA-Factory reads: a JSON array of rows and a {@code dataset_info.json} entry.
 *
 * <ul>
 *   <li>Generator row: instruction -> extended response.
 *   <li>Extender row: the extender training prompt built from the instruction and the initial
 *       response with about {@code lineDrop} of its lines dropped at random ({@link #dropLines})
 *       -> extended response.
 * </ul>
 */
public final class SftRows {
  /** Reference share of the initial response's lines dropped in the Extender's input. */
  public static final double REFERENCE_LINE_DROP = 0.2;

  private static final ObjectMapper JSON = new ObjectMapper();

  private SftRows() {}

  /** The Generator's row: the instruction is the user turn, the extended response the answer. */
  public static SftExample generatorRow(String instruction, String extendedResponse) {
    return new SftExample(
        Objects.requireNonNull(instruction, "instruction"), "", Objects.requireNonNull(extendedResponse, "extendedResponse"));
  }

  /**
   * The Extender's row: {@link PromptSet#extenderTrainingInput} of the instruction and {@link
   * #dropLines}{@code (initialResponse, lineDrop, profile's joiner, random)} -> the extended
   * response.
   */
  public static SftExample extenderRow(
      PromptSet prompts,
      String instruction,
      String initialResponse,
      String extendedResponse,
      double lineDrop,
      RandomGenerator random) {
    String thinned =
        dropLines(initialResponse, lineDrop, prompts.profile().extenderLineJoiner(), random::nextDouble);
    return new SftExample(
        prompts.extenderTrainingInput(instruction, thinned), "", Objects.requireNonNull(extendedResponse, "extendedResponse"));
  }

  /**
   * The reference's line dropout ({@code mk_ext_sft} of both mk_data.py): the text is split on
   * "\n"; every line, blank ones too, draws once in order and is kept when its draw is below
   * {@code 1 - share} (reference share 0.2: {@code random.random() < 0.8}); the kept lines are
   * joined with {@code joiner} ("\n\n" in qwen/, "\n" in llama/). Every line may go, leaving "".
   *
   * @throws IllegalArgumentException if share is not in [0, 1]
   */
  public static String dropLines(String text, double share, String joiner, DoubleSupplier draws) {
    if (!(share >= 0 && share <= 1)) {
      throw new IllegalArgumentException("line drop share must be in [0, 1], got " + share);
    }
    double keep = 1 - share;
    List<String> kept = new ArrayList<>();
    for (String line : text.split("\n", -1)) {
      if (draws.getAsDouble() < keep) {
        kept.add(line);
      }
    }
    return String.join(joiner, kept);
  }

  /**
   * Writes rows as one JSON array (UTF-8, non-ASCII unescaped, one row per line), the file format
   * LLaMA-Factory's {@code file_name} points at. Streams the rows; writes to a temporary sibling
   * and moves it into place, so a crash never leaves a half-written file under the final name.
   */
  public static void writeLlamaFactoryJson(Path file, Iterable<SftExample> rows) throws IOException {
    Path tmp = temporarySibling(file);
    try (OutputStream out = Files.newOutputStream(tmp);
        JsonGenerator gen = JSON.getFactory().createGenerator(out, JsonEncoding.UTF8)) {
      gen.setPrettyPrinter(new OneRowPerLine());
      gen.writeStartArray();
      for (SftExample row : rows) {
        gen.writeStartObject();
        gen.writeStringField("instruction", row.instruction());
        gen.writeStringField("input", row.input() == null ? "" : row.input());
        gen.writeStringField("output", row.output());
        gen.writeEndObject();
      }
      gen.writeEndArray();
      gen.writeRaw('\n');
    }
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** Reads a file written by {@link #writeLlamaFactoryJson}. */
  public static List<SftExample> readLlamaFactoryJson(Path file) throws IOException {
    return List.of(JSON.readValue(file.toFile(), SftExample[].class));
  }

  /**
   * A {@code dataset_info.json} entry for an Alpaca-form file:
   * {@code {"file_name": ..., "columns": {"prompt": "instruction", "query": "input", "response":
   * "output"}}}.
   */
  public static ObjectNode datasetInfoEntry(String fileName) {
    ObjectNode entry = JSON.createObjectNode();
    entry.put("file_name", fileName);
    ObjectNode columns = entry.putObject("columns");
    columns.put("prompt", "instruction");
    columns.put("query", "input");
    columns.put("response", "output");
    return entry;
  }

  /**
   * Adds (or replaces) the entry {@code name} -> {@link #datasetInfoEntry}{@code (fileName)} in the
   * {@code dataset_info.json} at {@code datasetInfo}, creating the file if needed and keeping its
   * other entries. Written atomically like the data files.
   */
  public static void putDatasetInfo(Path datasetInfo, String name, String fileName) throws IOException {
    ObjectNode root =
        Files.exists(datasetInfo)
            ? (ObjectNode) JSON.readTree(datasetInfo.toFile())
            : JSON.createObjectNode();
    root.set(name, datasetInfoEntry(fileName));
    Path tmp = temporarySibling(datasetInfo);
    JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), root);
    Files.move(tmp, datasetInfo, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private static Path temporarySibling(Path file) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    return Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
  }

  /** Compact rows, one per line, inside the array brackets. */
  private static final class OneRowPerLine extends MinimalPrettyPrinter {
    @Override
    public void writeStartArray(JsonGenerator g) throws IOException {
      g.writeRaw("[\n");
    }

    @Override
    public void writeArrayValueSeparator(JsonGenerator g) throws IOException {
      g.writeRaw(",\n");
    }

    @Override
    public void writeEndArray(JsonGenerator g, int nrOfValues) throws IOException {
      g.writeRaw("\n]");
    }
  }
}
