package selflengthen.eval;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a quality judge is asked: the dimensions it rates, on which integer scale, and the prompt
 * (a resource under {@code selflengthen/eval/} with {@code {{query}}} and {@code {{response}}}).
 */
public record JudgeRubric(
    String name, List<String> dimensions, int minScore, int maxScore, String promptResource) {

  /** Self-Lengthen's quality judge: seven dimensions rated 1-10. */
  public static final JudgeRubric SELF_LENGTHEN =
      new JudgeRubric(
          "self-lengthen",
          List.of(
              "Relevance", "Coherence", "Accuracy", "Consistency", "Clarity", "Creativity", "Engagement"),
          1,
          10,
          "quality_judge.md");

  /** LongBench-Write's S_q judge: six dimensions rated 1-5. */
  public static final JudgeRubric LONGBENCH_WRITE =
      new JudgeRubric(
          "longbench-write",
          List.of(
              "Relevance", "Accuracy", "Coherence", "Clarity", "Breadth and Depth", "Reading Experience"),
          1,
          5,
          "longbench_write_judge.md");

  private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{(query|response)}}");

  public JudgeRubric {
    dimensions = List.copyOf(dimensions);
    if (dimensions.isEmpty() || minScore >= maxScore) {
      throw new IllegalArgumentException("a rubric needs dimensions and a scale, got " + dimensions);
    }
  }

  public String scaleText() {
    return minScore + "-" + maxScore;
  }

  /** The judge prompt for one answer. One pass, so braces inside the texts stay as they are. */
  public String prompt(String query, String response) {
    Matcher placeholder = PLACEHOLDER.matcher(template());
    StringBuilder out = new StringBuilder();
    while (placeholder.find()) {
      String text = "query".equals(placeholder.group(1)) ? query : response;
      placeholder.appendReplacement(out, Matcher.quoteReplacement(text));
    }
    placeholder.appendTail(out);
    return out.toString();
  }

  public String template() {
    String path = "/selflengthen/eval/" + promptResource;
    try (InputStream in = JudgeRubric.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("missing judge prompt resource " + path);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path, e);
    }
  }
}
