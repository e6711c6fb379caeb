package selflengthen.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import selflengthen.v1.LengthEvalSummary;
import selflengthen.v1.QualitySummary;
import selflengthen.v1.ScoreBreakdown;
import selflengthen.v1.ScoreGroup;

/**
 * Writes a length evaluation next to each other under one stem: {@code <stem>.eval.json} (the
 * summary, protobuf JSON), {@code <stem>.eval.md} (tables and plots), {@code
 * <stem>.eval-rows.jsonl} (one score per row) and the PNG plots.
 */
public final class EvalReport {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private EvalReport() {}

  /** What was written; {@code summary} lists the plots. */
  public record Written(Path json, Path markdown, Path rows, List<Path> plots, LengthEvalSummary summary) {
    /** Every file written, the summaries first. */
    public List<Path> files() {
      List<Path> all = new ArrayList<>(List.of(json, markdown, rows));
      all.addAll(plots);
      return all;
    }
  }

  public static Written write(LengthEvaluation.Result result, Path outDir, String stem) throws IOException {
    return write(result, outDir, stem, null);
  }

  /**
   * As {@link #write(LengthEvaluation.Result, Path, String)}, with the judge's per-dimension means
   * (when {@code quality} is not null) in the Markdown and in {@code <stem>.quality.json}.
   */
  public static Written write(
      LengthEvaluation.Result result, Path outDir, String stem, QualitySummary quality) throws IOException {
    Files.createDirectories(outDir);
    LengthBenchmark scorer = result.benchmark().scorer();
    List<Path> plots = new ArrayList<>();
    Path scatter = outDir.resolve(stem + ".lengths.png");
    EvalPlots.writeLengthScatter(result, scatter);
    plots.add(scatter);
    for (ScoreBreakdown breakdown : result.summary().getBreakdownsList()) {
      Path bars = outDir.resolve(stem + ".score-by-" + EvalPlots.fileSafe(breakdown.getBy()) + ".png");
      EvalPlots.writeScoreBars(
          result.summary(), breakdown, scorer.title() + ": length score by " + breakdown.getBy(), bars);
      plots.add(bars);
    }
    LengthEvalSummary summary =
        result.summary().toBuilder()
            .addAllPlots(plots.stream().map(p -> p.getFileName().toString()).toList())
            .build();

    Path json = outDir.resolve(stem + ".eval.json");
    Files.writeString(json, toJson(summary) + "\n", StandardCharsets.UTF_8);
    Path rows = outDir.resolve(stem + ".eval-rows.jsonl");
    writeRows(result.rows(), rows);
    Path markdown = outDir.resolve(stem + ".eval.md");
    String md = markdown(scorer, summary, rows.getFileName().toString());
    if (quality != null) {
      Path qualityJson = outDir.resolve(stem + ".quality.json");
      Files.writeString(qualityJson, print(quality) + "\n", StandardCharsets.UTF_8);
      md += qualityMarkdown(quality, qualityJson.getFileName().toString());
    }
    Files.writeString(markdown, md, StandardCharsets.UTF_8);
    return new Written(json, markdown, rows, plots, summary);
  }

  /** The file name without its .jsonl / .json extension. */
  public static String stemOf(Path file) {
    String name = file.getFileName().toString();
    return name.replaceFirst("\\.(jsonl|json)$", "");
  }

  public static String toJson(LengthEvalSummary summary) {
    return print(summary);
  }

  private static String print(com.google.protobuf.MessageOrBuilder message) {
    try {
      return JsonFormat.printer().includingDefaultValueFields().print(message);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("a built summary always prints", e);
    }
  }

  public static String format(double score, String scale) {
    return String.format(Locale.ROOT, "0-1".equals(scale) ? "%.4f" : "%.2f", score);
  }

  private static void writeRows(List<ScoredRow> scored, Path file) throws IOException {
    try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      for (ScoredRow row : scored) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("line", row.line());
        row.groups().entrySet().stream()
            .sorted(java.util.Map.Entry.comparingByKey())
            .forEach(group -> node.put(group.getKey(), group.getValue()));
        node.put("required_words", row.required());
        node.put("produced_words", row.produced());
        node.put("score", row.score());
        out.write(MAPPER.writeValueAsString(node));
        out.write('\n');
      }
    }
  }

  /** The judge's means: raw ratings per dimension, and S_q for LongBench-Write's rubric. */
  static String qualityMarkdown(QualitySummary quality, String jsonFile) {
    StringBuilder md = new StringBuilder("\n## Quality (LLM judge, rubric ").append(quality.getRubric()).append(")\n\n");
    if (!quality.getJudgeModel().isEmpty()) {
      md.append("Judge model: ").append(quality.getJudgeModel()).append("\n\n");
    }
    md.append("Answers rated: ").append(quality.getScored()).append("; judge failed on: ")
        .append(quality.getFailed()).append(" (`").append(jsonFile).append("`)\n\n");
    if (quality.getByDimensionCount() == 0) {
      return md.append("No answer was rated.\n").toString();
    }
    md.append("| dimension | rated | mean |\n|---|---:|---:|\n");
    for (ScoreGroup g : quality.getByDimensionList()) {
      md.append(String.format(Locale.ROOT, "| %s | %d | %.2f |%n", g.getKey(), g.getCount(), g.getMean()));
    }
    md.append(String.format(Locale.ROOT, "| **mean of the dimensions** | | **%.2f** |%n", quality.getOverall()));
    if (quality.getRubric().equals(JudgeRubric.LONGBENCH_WRITE.name())) {
      md.append(String.format(Locale.ROOT, "%nLongBench-Write S_q: **%.2f**%n", quality.getLongbenchWriteSq()));
    }
    return md.toString();
  }

  static String markdown(LengthBenchmark scorer, LengthEvalSummary summary, String rowsFile) {
    String scale = summary.getScale();
    StringBuilder md = new StringBuilder();
    md.append("# ").append(scorer.title()).append(" length following\n\n");
    md.append("| | |\n|---|---|\n");
    md.append("| responses file | `").append(summary.getResponses()).append("` |\n");
    md.append("| responses scored | ").append(summary.getCount()).append(" |\n");
    md.append("| word count | ").append(summary.getWordCount()).append(" |\n");
    md.append("| score scale | ").append(scale).append(" |\n");
    md.append("| **overall score** | **").append(format(summary.getOverall(), scale)).append("** |\n");
    md.append(String.format(Locale.ROOT, "| mean required words | %.1f |%n", summary.getMeanRequiredWords()));
    md.append(String.format(Locale.ROOT, "| mean produced words | %.1f |%n", summary.getMeanProducedWords()));
    md.append("| per-row scores | `").append(rowsFile).append("` |\n");
    for (ScoreBreakdown breakdown : summary.getBreakdownsList()) {
      md.append("\n## By ").append(breakdown.getBy()).append("\n\n");
      md.append("| ").append(breakdown.getBy()).append(" | count | mean score |\n|---|---:|---:|\n");
      for (ScoreGroup group : breakdown.getGroupsList()) {
        md.append("| ").append(group.getKey()).append(" | ").append(group.getCount()).append(" | ")
            .append(format(group.getMean(), scale)).append(" |\n");
      }
      md.append("| overall | ").append(summary.getCount()).append(" | ")
          .append(format(summary.getOverall(), scale)).append(" |\n");
    }
    md.append("\n## Plots\n\n");
    for (String plot : summary.getPlotsList()) {
      md.append("![").append(plot).append("](").append(plot).append(")\n\n");
    }
    return md.toString();
  }
}
