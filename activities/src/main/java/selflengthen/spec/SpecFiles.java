package selflengthen.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import selflengthen.v1.RunSpec;

/**
 * Reads run specs from YAML or JSON files and writes them as JSON. Both use the protobuf JSON
 * mapping (snake_case or camelCase names, enum names such as LANGUAGE_ZH), the same form the
 * Temporal CLI's {@code --input} takes. Unknown fields are errors here: in a file a user wrote they
 * are typos, and a silently ignored typo would run with a default instead.
 */
public final class SpecFiles {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonFormat.Printer PRINTER = JsonFormat.printer().preservingProtoFieldNames();

  private SpecFiles() {}

  /** Reads a spec from a .json, .yaml or .yml file (any other name is read as YAML, a superset of JSON). */
  public static RunSpec read(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("spec file not found: " + file);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read spec file " + file + ": " + e.getMessage(), e);
    }
    JsonNode tree;
    try {
      tree = YAML.readTree(text);
    } catch (IOException e) {
      throw new IllegalArgumentException("spec file " + file + " is not valid YAML/JSON: "
          + e.getMessage().lines().findFirst().orElse(""), e);
    }
    if (tree == null || tree.isMissingNode() || tree.isNull()) {
      return RunSpec.getDefaultInstance();
    }
    if (!tree.isObject()) {
      throw new IllegalArgumentException("spec file " + file + " must hold a mapping of fields");
    }
    try {
      return fromJson(JSON.writeValueAsString(tree));
    } catch (IOException | IllegalArgumentException e) {
      throw new IllegalArgumentException("spec file " + file + ": " + e.getMessage(), e);
    }
  }

  /** Parses protobuf JSON, refusing unknown fields. */
  public static RunSpec fromJson(String json) {
    RunSpec.Builder b = RunSpec.newBuilder();
    try {
      JsonFormat.parser().merge(json, b);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
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
