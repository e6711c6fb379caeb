package selflengthen.payload;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Reads protobuf messages from JSON written by people or foreign clients, refusing what the
 * protobuf JSON parser would silently accept or report one problem at a time.
 *
 * <p>The tree is checked against the message's descriptor first, and every problem is listed with
 * its field path in proto names: unknown fields (with the nearest known name), wrong types, numbers
 * out of an integer field's range ({@code rounds: -1 is not a count}), unknown enum names. Duplicate
 * keys are refused and syntax errors carry their line and column. Only a tree without problems is
 * handed to {@link JsonFormat}, so a message built here is exactly what the user wrote.
 */
public final class JsonMessages {
  /** Larger JSON is refused before it is parsed: a run spec is a few KB. */
  public static final int MAX_BYTES = 1 << 20;

  private static final ObjectMapper JSON =
      JsonMapper.builder().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();

  static {
    JSON.getFactory()
        .setStreamReadConstraints(StreamReadConstraints.builder().maxStringLength(MAX_BYTES).build());
  }

  private JsonMessages() {}

  /**
   * Parses JSON text into {@code builder}; returns every problem found (nothing is merged then).
   *
   * @param what names the input in a size or syntax problem, e.g. "the workflow input"
   */
  public static List<FieldProblem> parse(String json, Message.Builder builder, String what) {
    if (json.length() > MAX_BYTES) {
      return List.of(tooLarge(what, json.length()));
    }
    JsonNode tree;
    try {
      tree = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      return List.of(syntax(what, e));
    }
    return merge(tree, builder);
  }

  /** Checks a parsed tree (from JSON or YAML) and merges it into {@code builder} when clean. */
  public static List<FieldProblem> merge(JsonNode tree, Message.Builder builder) {
    if (tree == null || tree.isMissingNode() || tree.isNull()) {
      return List.of();
    }
    List<FieldProblem> problems = new ArrayList<>();
    message(tree, builder.getDescriptorForType(), "", problems);
    if (!problems.isEmpty()) {
      return problems;
    }
    try {
      JsonFormat.parser().merge(tree.toString(), builder);
    } catch (InvalidProtocolBufferException e) {
      return List.of(new FieldProblem("(message)", e.getMessage()));
    }
    return List.of();
  }

  /** A size problem worded the same for every door. */
  public static FieldProblem tooLarge(String what, long size) {
    return new FieldProblem("(size)", what + " is " + size + " bytes, more than the " + MAX_BYTES
        + " a run spec may have");
  }

  /** A syntax error with its line and column. */
  public static FieldProblem syntax(String what, JsonProcessingException e) {
    JsonLocation at = e.getLocation();
    String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
    return new FieldProblem("(syntax)", what + " is not valid JSON/YAML" + where + ": " + e.getOriginalMessage());
  }

  /** One line listing every problem, as a user reads it in a terminal or the Web UI. */
  public static String describe(String what, List<FieldProblem> problems) {
    return what + " (" + problems.size() + (problems.size() == 1 ? " problem): " : " problems): ")
        + problems.stream().map(FieldProblem::toString).collect(Collectors.joining("; "));
  }

  private static void message(JsonNode node, Descriptor type, String path, List<FieldProblem> out) {
    if (!node.isObject()) {
      out.add(new FieldProblem(path.isEmpty() ? "(message)" : path,
          "expected a mapping of fields (got " + kind(node) + ")"));
      return;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      FieldDescriptor f = field(type, e.getKey());
      String at = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
      if (f == null) {
        String near = nearest(type, e.getKey());
        out.add(new FieldProblem(at, "unknown field" + (near == null ? "" : " (did you mean " + near + "?)")));
        continue;
      }
      at = path.isEmpty() ? f.getName() : path + "." + f.getName();
      JsonNode v = e.getValue();
      if (v.isNull()) {
        continue; // the protobuf JSON mapping: null is the default value
      }
      if (f.isMapField()) {
        if (!v.isObject()) {
          out.add(new FieldProblem(at, "expected a mapping (got " + kind(v) + ")"));
          continue;
        }
        FieldDescriptor valueField = f.getMessageType().findFieldByName("value");
        for (Iterator<Map.Entry<String, JsonNode>> m = v.fields(); m.hasNext(); ) {
          Map.Entry<String, JsonNode> entry = m.next();
          value(entry.getValue(), valueField, at + "." + entry.getKey(), out);
        }
      } else if (f.isRepeated()) {
        if (!v.isArray()) {
          out.add(new FieldProblem(at, "expected a list (got " + kind(v) + ")"));
          continue;
        }
        for (int i = 0; i < v.size(); i++) {
          value(v.get(i), f, at + "[" + i + "]", out);
        }
      } else {
        value(v, f, at, out);
      }
    }
  }

  private static void value(JsonNode v, FieldDescriptor f, String at, List<FieldProblem> out) {
    String problem =
        switch (f.getJavaType()) {
          case MESSAGE -> {
            message(v, f.getMessageType(), at, out);
            yield null;
          }
          case INT -> integer(v, f.getType() == FieldDescriptor.Type.UINT32 || f.getType() == FieldDescriptor.Type.FIXED32, 32);
          case LONG -> integer(v, f.getType() == FieldDescriptor.Type.UINT64 || f.getType() == FieldDescriptor.Type.FIXED64, 64);
          case FLOAT, DOUBLE -> number(v);
          case BOOLEAN -> v.isBoolean() || (v.isTextual() && (v.asText().equals("true") || v.asText().equals("false")))
              ? null : "expected true or false (got " + kind(v) + ")";
          case STRING, BYTE_STRING -> v.isValueNode() ? null : "expected a string (got " + kind(v) + ")";
          case ENUM -> enumValue(v, f.getEnumType());
        };
    if (problem != null) {
      out.add(new FieldProblem(at, problem));
    }
  }

  private static String integer(JsonNode v, boolean unsigned, int bits) {
    BigDecimal n = decimal(v);
    if (n == null) {
      return shown(v) + " is not a number (expected a whole number" + (unsigned ? ", 0 or more)" : ")");
    }
    BigInteger whole;
    try {
      whole = n.toBigIntegerExact();
    } catch (ArithmeticException e) {
      return shown(v) + " is not a whole number";
    }
    if (unsigned && whole.signum() < 0) {
      return shown(v) + " is not a count (expected a whole number, 0 or more)";
    }
    BigInteger max = unsigned ? BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE)
        : BigInteger.ONE.shiftLeft(bits - 1).subtract(BigInteger.ONE);
    BigInteger min = unsigned ? BigInteger.ZERO : BigInteger.ONE.shiftLeft(bits - 1).negate();
    if (whole.compareTo(max) > 0 || whole.compareTo(min) < 0) {
      return shown(v) + " is out of range (" + min + " to " + max + ")";
    }
    return null;
  }

  private static String number(JsonNode v) {
    if (v.isTextual() && List.of("NaN", "Infinity", "-Infinity").contains(v.asText())) {
      return null;
    }
    return decimal(v) == null ? shown(v) + " is not a number" : null;
  }

  /** The protobuf JSON mapping takes numbers as JSON numbers or as strings ("64-bit ints"). */
  private static BigDecimal decimal(JsonNode v) {
    if (v.isNumber()) {
      return v.decimalValue();
    }
    if (v.isTextual()) {
      try {
        return new BigDecimal(v.asText().strip());
      } catch (NumberFormatException e) {
        return null;
      }
    }
    return null;
  }

  private static String enumValue(JsonNode v, EnumDescriptor type) {
    if (v.isTextual() && type.findValueByName(v.asText()) != null) {
      return null;
    }
    if (v.isIntegralNumber() && type.findValueByNumber(v.asInt()) != null) {
      return null;
    }
    List<String> names = type.getValues().stream().map(EnumValueDescriptor::getName).toList();
    return "unknown value " + shown(v) + " (expected one of " + String.join(", ", names) + ")";
  }

  private static FieldDescriptor field(Descriptor type, String name) {
    FieldDescriptor f = type.findFieldByName(name);
    if (f != null) {
      return f;
    }
    for (FieldDescriptor d : type.getFields()) {
      if (d.getJsonName().equals(name)) {
        return d;
      }
    }
    return null;
  }

  /** The known field closest in spelling, when close enough to be the intended one. */
  private static String nearest(Descriptor type, String name) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (FieldDescriptor f : type.getFields()) {
      int d = Math.min(distance(name, f.getName()), distance(name, f.getJsonName()));
      if (d < bestDistance) {
        bestDistance = d;
        best = f.getName();
      }
    }
    return bestDistance <= Math.max(2, name.length() / 3) ? best : null;
  }

  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = Character.toLowerCase(a.charAt(i - 1)) == Character.toLowerCase(b.charAt(j - 1)) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

  private static String shown(JsonNode v) {
    String s = v.isTextual() ? "'" + v.asText() + "'" : v.toString();
    return s.length() > 60 ? s.substring(0, 57) + "..." : s;
  }

  private static String kind(JsonNode v) {
    if (v.isObject()) {
      return "a mapping";
    }
    if (v.isArray()) {
      return "a list";
    }
    return shown(v);
  }
}
