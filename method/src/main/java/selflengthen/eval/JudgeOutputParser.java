package selflengthen.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a judge model's ratings out of whatever it wrote: a JSON object, possibly inside a code
 * fence, amid prose, with single quotes, trailing commas, keys in any case or spelling ("Breadth
 * and Depth", "breadth_and_depth"), nested under another key, scores as strings ("8", "8/10",
 * "7.5"); failing JSON, "Dimension: 8" pairs in plain text. Every dimension of the rubric must be
 * present and on its scale, otherwise the result is a {@link Failure} saying why.
 */
public final class JudgeOutputParser {

  /** The outcome of reading one judge output. */
  public sealed interface Parse permits Scores, Failure {}

  /** Every dimension's rating, keyed by the rubric's dimension names, in the rubric's order. */
  public record Scores(Map<String, Double> byDimension, String analysis) implements Parse {
    public Scores {
      byDimension = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(byDimension));
    }
  }

  public record Failure(String reason) implements Parse {}

  private static final JsonMapper LENIENT =
      JsonMapper.builder()
          .enable(JsonReadFeature.ALLOW_SINGLE_QUOTES)
          .enable(JsonReadFeature.ALLOW_UNQUOTED_FIELD_NAMES)
          .enable(JsonReadFeature.ALLOW_TRAILING_COMMA)
          .enable(JsonReadFeature.ALLOW_JAVA_COMMENTS)
          .enable(JsonReadFeature.ALLOW_UNESCAPED_CONTROL_CHARS)
          .enable(JsonReadFeature.ALLOW_BACKSLASH_ESCAPING_ANY_CHARACTER)
          .enable(JsonReadFeature.ALLOW_LEADING_DECIMAL_POINT_FOR_NUMBERS)
          .enable(JsonReadFeature.ALLOW_LEADING_PLUS_SIGN_FOR_NUMBERS)
          .build();
  private static final Pattern FENCE =
      Pattern.compile("```[a-zA-Z]*[ \\t]*\\r?\\n?(.*?)```", Pattern.DOTALL);
  private static final Pattern SCORE_TEXT =
      Pattern.compile(
          "\\s*\\**\\s*([+-]?\\d+(?:\\.\\d+)?)\\s*(?:(?:/|out of|of)\\s*(\\d+(?:\\.\\d+)?))?",
          Pattern.CASE_INSENSITIVE);
  private static final List<String> NESTED_SCORE_KEYS = List.of("score", "rating", "value");

  private final JudgeRubric rubric;
  private final Map<String, Pattern> textPatterns = new LinkedHashMap<>();

  public JudgeOutputParser(JudgeRubric rubric) {
    this.rubric = rubric;
    for (String dimension : rubric.dimensions()) {
      textPatterns.put(dimension, textPattern(dimension));
    }
  }

  public Parse parse(String output) {
    if (output == null || output.isBlank()) {
      return new Failure("empty output");
    }
    Attempt best = null;
    for (String candidate : jsonCandidates(output)) {
      JsonNode node = readLeniently(candidate);
      if (node == null || !node.isObject()) {
        continue;
      }
      Attempt attempt = fromJson(node);
      if (attempt.complete()) {
        return attempt.scores();
      }
      best = better(best, attempt);
    }
    Attempt fromText = fromText(output);
    if (fromText.complete()) {
      return fromText.scores();
    }
    best = better(best, fromText);
    if (best.found.isEmpty() && best.problems.isEmpty()) {
      return new Failure("no " + rubric.name() + " ratings found (no JSON object with "
          + String.join(", ", rubric.dimensions()) + ")");
    }
    return new Failure(best.reason());
  }

  /** Fenced blocks first, then every balanced {...} object of the text, outermost first. */
  private static List<String> jsonCandidates(String output) {
    List<String> candidates = new ArrayList<>();
    Matcher fence = FENCE.matcher(output);
    while (fence.find()) {
      candidates.addAll(balancedObjects(fence.group(1)));
    }
    candidates.addAll(balancedObjects(output));
    return candidates;
  }

  /** Top-level {...} spans, skipping braces inside quoted strings; an unclosed one runs to the end. */
  static List<String> balancedObjects(String text) {
    List<String> objects = new ArrayList<>();
    int i = 0;
    while (i < text.length()) {
      int start = text.indexOf('{', i);
      if (start < 0) {
        break;
      }
      int depth = 0;
      char quote = 0;
      int end = -1;
      for (int j = start; j < text.length(); j++) {
        char c = text.charAt(j);
        if (quote != 0) {
          if (c == '\\') {
            j++;
          } else if (c == quote) {
            quote = 0;
          }
        } else if (c == '"' || (c == '\'' && isQuoteStart(text, j))) {
          quote = c;
        } else if (c == '{') {
          depth++;
        } else if (c == '}' && --depth == 0) {
          end = j;
          break;
        }
      }
      if (end < 0) {
        objects.add(text.substring(start));
        break;
      }
      objects.add(text.substring(start, end + 1));
      i = end + 1;
    }
    return objects;
  }

  /** A single quote opens a string only where JSON expects a value or key, not inside a word. */
  private static boolean isQuoteStart(String text, int at) {
    for (int k = at - 1; k >= 0; k--) {
      char c = text.charAt(k);
      if (!Character.isWhitespace(c)) {
        return c == '{' || c == ',' || c == ':' || c == '[';
      }
    }
    return false;
  }

  private static JsonNode readLeniently(String candidate) {
    try {
      return LENIENT.readTree(candidate);
    } catch (JsonProcessingException e) {
      return null;
    }
  }

  private Attempt fromJson(JsonNode root) {
    Map<String, JsonNode> fields = flatten(root);
    Attempt attempt = new Attempt();
    JsonNode analysis = fields.get("analysis");
    attempt.analysis = analysis != null && analysis.isTextual() ? analysis.asText() : "";
    for (String dimension : rubric.dimensions()) {
      JsonNode value = fields.get(normalize(dimension));
      if (value == null) {
        attempt.missing.add(dimension);
      } else {
        attempt.take(dimension, value);
      }
    }
    return attempt;
  }

  /** Every field of the object and of the objects nested in it, nearest to the top first. */
  private static Map<String, JsonNode> flatten(JsonNode root) {
    Map<String, JsonNode> fields = new LinkedHashMap<>();
    Deque<JsonNode> queue = new ArrayDeque<>();
    queue.add(root);
    while (!queue.isEmpty()) {
      JsonNode node = queue.poll();
      Iterator<Map.Entry<String, JsonNode>> it = node.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> field = it.next();
        fields.putIfAbsent(normalize(field.getKey()), field.getValue());
        if (field.getValue().isObject()) {
          queue.add(field.getValue());
        }
      }
    }
    return fields;
  }

  private Attempt fromText(String output) {
    Attempt attempt = new Attempt();
    attempt.analysis = "";
    for (String dimension : rubric.dimensions()) {
      Matcher m = textPatterns.get(dimension).matcher(output);
      String last = null;
      while (m.find()) {
        last = m.group(1);
      }
      if (last == null) {
        attempt.missing.add(dimension);
      } else {
        attempt.takeText(dimension, last);
      }
    }
    return attempt;
  }

  private static Pattern textPattern(String dimension) {
    String[] words = dimension.toLowerCase(Locale.ROOT).split("\\s+");
    StringBuilder name = new StringBuilder();
    for (String word : words) {
      if (word.equals("and") || word.equals("&")) {
        continue;
      }
      if (name.length() > 0) {
        name.append("[\\s_-]*(?:(?:and|&)[\\s_-]*)?");
      }
      name.append(Pattern.quote(word));
    }
    return Pattern.compile(
        "(?<![a-z])" + name + "[\"'*\\s]*[:=：]\\s*[\"'*]*\\s*([+-]?\\d+(?:\\.\\d+)?(?:\\s*(?:/|out of)\\s*\\d+(?:\\.\\d+)?)?)",
        Pattern.CASE_INSENSITIVE);
  }

  static String normalize(String key) {
    return key.toLowerCase(Locale.ROOT).replace("&", "and").replaceAll("[^a-z]", "");
  }

  private static Attempt better(Attempt current, Attempt candidate) {
    return current == null || candidate.found.size() > current.found.size() ? candidate : current;
  }

  /** What one reading found: ratings, the dimensions it lacked, and values it could not accept. */
  private final class Attempt {
    final Map<String, Double> found = new LinkedHashMap<>();
    final List<String> missing = new ArrayList<>();
    final List<String> problems = new ArrayList<>();
    String analysis;

    boolean complete() {
      return missing.isEmpty() && problems.isEmpty();
    }

    Scores scores() {
      return new Scores(found, analysis);
    }

    String reason() {
      List<String> parts = new ArrayList<>(problems);
      if (!missing.isEmpty()) {
        parts.add("missing " + String.join(", ", missing));
      }
      return String.join("; ", parts);
    }

    void take(String dimension, JsonNode value) {
      if (value.isNumber()) {
        accept(dimension, value.asDouble(), value.toString());
      } else if (value.isTextual()) {
        takeText(dimension, value.asText());
      } else if (value.isObject()) {
        for (String key : NESTED_SCORE_KEYS) {
          JsonNode nested = value.get(key);
          if (nested != null && (nested.isNumber() || nested.isTextual())) {
            take(dimension, nested);
            return;
          }
        }
        problems.add(dimension + " has no score in " + value);
      } else {
        problems.add(dimension + " is not a score: " + value);
      }
    }

    void takeText(String dimension, String text) {
      Matcher m = SCORE_TEXT.matcher(text);
      if (!m.lookingAt()) {
        problems.add(dimension + " is not a score: \"" + text + "\"");
        return;
      }
      if (m.group(2) != null && Double.parseDouble(m.group(2)) != rubric.maxScore()) {
        problems.add(dimension + " \"" + text.strip() + "\" is not on the " + rubric.scaleText() + " scale");
        return;
      }
      accept(dimension, Double.parseDouble(m.group(1)), "\"" + text.strip() + "\"");
    }

    private void accept(String dimension, double score, String shown) {
      if (Double.isNaN(score) || score < rubric.minScore() || score > rubric.maxScore()) {
        problems.add(dimension + " " + shown + " is outside " + rubric.scaleText());
      } else {
        found.put(dimension, score);
      }
    }
  }
}
