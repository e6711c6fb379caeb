package selflengthen.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import selflengthen.payload.FieldProblem;
import selflengthen.payload.JsonMessages;
import selflengthen.v1.RunSpec;

/**
 * Reads run specs from YAML or JSON files and writes them as JSON. Both use the protobuf JSON
 * mapping (snake_case or camelCase names, enum names such as LANGUAGE_ZH), the same form the
 * Temporal CLI's {@code --input} takes. Unknown fields are errors here: in a file a user wrote they
 * are typos, and a silently ignored typo would run with a default instead.
 */
public final class SpecFiles {
  private static final ObjectMapper YAML =
      new ObjectMapper(
          YAMLFactory.builder().enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION).build());
  private static final JsonFormat.Printer PRINTER = JsonFormat.printer().preservingProtoFieldNames();

  private SpecFiles() {}

  /**
   * Reads a spec from a .json, .yaml or .yml file (any other name is read as YAML, a superset of
   * JSON). The file's size and encoding are checked before it is parsed; syntax errors carry their
   * line and column; duplicate keys, unknown fields and wrong types are refused, every one named
   * ({@link SpecValidationException}).
   */
  public static RunSpec read(Path file) {
    if (!Files.exists(file)) {
      throw new IllegalArgumentException("spec file not found: " + file);
    }
    java.util.Optional<String> unreadable = TextFiles.problem(file, JsonMessages.MAX_BYTES);
    if (unreadable.isPresent()) {
      throw new IllegalArgumentException("spec file: " + unreadable.get());
    }
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read spec file " + file + ": " + e, e);
    }
    JsonNode tree;
    try {
      tree = YAML.readTree(text);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(JsonMessages.syntax("spec file " + file, e).message(), e);
    } catch (IOException e) {
      throw new IllegalArgumentException("spec file " + file + " is not valid YAML/JSON: " + e.getMessage(), e);
    }
    if (tree == null || tree.isMissingNode() || tree.isNull()) {
      return RunSpec.getDefaultInstance();
    }
    if (!tree.isObject()) {
      throw new IllegalArgumentException("spec file " + file + " must hold a mapping of fields");
    }
    RunSpec.Builder b = RunSpec.newBuilder();
    List<FieldProblem> problems = JsonMessages.merge(tree, b);
    if (!problems.isEmpty()) {
      throw new SpecValidationException(
          problems.stream().map(p -> new SpecProblem(p.field(), p.message())).toList(), "spec file " + file);
    }
    return b.build();
  }

  /** Parses protobuf JSON, refusing unknown fields and wrong types, naming every one. */
  public static RunSpec fromJson(String json) {
    RunSpec.Builder b = RunSpec.newBuilder();
    List<FieldProblem> problems = JsonMessages.parse(json, b, "the spec");
    if (!problems.isEmpty()) {
      throw new SpecValidationException(problems.stream().map(p -> new SpecProblem(p.field(), p.message())).toList());
    }
    return b.build();
  }

  /** Pretty JSON with proto field names, as stored in runs/&lt;run&gt;/spec.json. */
  public static String toJson(RunSpec spec) {
    try {
      return PRINTER.print(spec);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
  }
}
