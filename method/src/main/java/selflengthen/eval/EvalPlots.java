package selflengthen.eval;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;
import selflengthen.v1.LengthEvalSummary;
import selflengthen.v1.ScoreBreakdown;
import selflengthen.v1.ScoreGroup;

/** PNG charts of a length evaluation, drawn off-screen (no display needed). */
public final class EvalPlots {
  private static final Color[] PALETTE = {
    new Color(31, 119, 180), new Color(255, 127, 14), new Color(44, 160, 44),
    new Color(214, 39, 40), new Color(148, 103, 189), new Color(140, 86, 75)
  };

  static {
    // Charts are rendered into images; a server or CI box has no display.
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
  }

  private EvalPlots() {}

  /**
   * Required against produced length on log-log axes with the line y = x. Empty answers cannot sit
   * on a log axis; they are drawn at 1 word in a series of their own.
   */
  public static void writeLengthScatter(LengthEvaluation.Result result, Path png) throws IOException {
    LengthBenchmark scorer = result.benchmark().scorer();
    Map<String, List<ScoredRow>> series = new TreeMap<>();
    List<ScoredRow> empty = new ArrayList<>();
    String by = scorer.scatterSeriesBy().orElse(null);
    if (by != null) {
      series = new TreeMap<>(scorer.keyOrder(by));
    }
    for (ScoredRow row : result.rows()) {
      if (row.produced() == 0) {
        empty.add(row);
      } else {
        series.computeIfAbsent(by == null ? "responses" : row.groups().get(by), k -> new ArrayList<>()).add(row);
      }
    }
    double lo = Double.MAX_VALUE;
    double hi = 1;
    for (ScoredRow row : result.rows()) {
      lo = Math.min(lo, row.required());
      hi = Math.max(hi, Math.max(row.required(), row.produced()));
      if (row.produced() > 0) {
        lo = Math.min(lo, row.produced());
      }
    }
    if (!empty.isEmpty()) {
      lo = 1;
    }
    // Same range on both axes so that y = x is the diagonal; bounds on 1-2-5 steps keep it tight.
    lo = niceBelow(lo);
    hi = niceAbove(hi * 1.05);

    XYChart chart =
        new XYChartBuilder()
            .width(760)
            .height(760)
            .title(scorer.title() + ": required vs produced length (" + result.rows().size() + " responses)")
            .xAxisTitle(scorer.requiredLengthLabel())
            .yAxisTitle("produced length (" + scorer.wordCountName() + " words)")
            .build();
    chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
    chart.getStyler().setXAxisLogarithmic(true);
    chart.getStyler().setYAxisLogarithmic(true);
    chart.getStyler().setXAxisMin(lo).setXAxisMax(hi).setYAxisMin(lo).setYAxisMax(hi);
    chart.getStyler().setXAxisDecimalPattern("#,###").setYAxisDecimalPattern("#,###");
    chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
    chart.getStyler().setMarkerSize(9);
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setPlotBackgroundColor(Color.WHITE);

    int colour = 0;
    for (Map.Entry<String, List<ScoredRow>> entry : series.entrySet()) {
      XYSeries points =
          chart.addSeries(
              entry.getKey() + " (" + entry.getValue().size() + ")",
              entry.getValue().stream().mapToDouble(ScoredRow::required).toArray(),
              entry.getValue().stream().mapToDouble(ScoredRow::produced).toArray());
      points.setMarker(SeriesMarkers.CIRCLE);
      points.setMarkerColor(translucent(PALETTE[colour++ % PALETTE.length]));
    }
    if (!empty.isEmpty()) {
      XYSeries zero =
          chart.addSeries(
              "empty answers, drawn at 1 (" + empty.size() + ")",
              empty.stream().mapToDouble(ScoredRow::required).toArray(),
              empty.stream().mapToDouble(row -> 1.0).toArray());
      zero.setMarker(SeriesMarkers.CROSS);
      zero.setMarkerColor(Color.DARK_GRAY);
    }
    XYSeries diagonal = chart.addSeries("y = x", new double[] {lo, hi}, new double[] {lo, hi});
    diagonal.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
    diagonal.setMarker(SeriesMarkers.NONE);
    diagonal.setLineColor(Color.BLACK);
    diagonal.setLineStyle(
        new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
    save(chart, png);
  }

  /** Mean score of each key of one breakdown, plus the overall mean, as bars labelled with values. */
  public static void writeScoreBars(LengthEvalSummary summary, ScoreBreakdown breakdown, String title, Path png)
      throws IOException {
    double top = "0-1".equals(summary.getScale()) ? 1.0 : 100.0;
    Map<String, Double> bars = new LinkedHashMap<>();
    for (ScoreGroup group : breakdown.getGroupsList()) {
      bars.put(group.getKey() + " (n=" + group.getCount() + ")", group.getMean());
    }
    bars.put("overall (n=" + summary.getCount() + ")", summary.getOverall());
    boolean longLabels = bars.keySet().stream().anyMatch(label -> label.length() > 14) || bars.size() > 6;

    CategoryChart chart =
        new CategoryChartBuilder()
            .width(Math.max(640, 110 * bars.size()))
            .height(longLabels ? 620 : 480)
            .title(title)
            .xAxisTitle(breakdown.getBy())
            .yAxisTitle("mean score (" + summary.getScale() + ")")
            .build();
    chart.getStyler().setLegendVisible(false);
    chart.getStyler().setYAxisMin(0.0).setYAxisMax(top);
    chart.getStyler().setYAxisDecimalPattern(top == 1.0 ? "0.00" : "0.0");
    chart.getStyler().setLabelsVisible(true);
    chart.getStyler().setLabelsPosition(0.92);
    chart.getStyler().setXAxisLabelRotation(longLabels ? 35 : 0);
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setPlotBackgroundColor(Color.WHITE);
    chart.getStyler().setOverlapped(true);
    chart.getStyler().setSeriesColors(new Color[] {PALETTE[0], Color.DARK_GRAY});
    // Two overlapped series so that the overall bar stands apart in colour.
    List<String> keys = new ArrayList<>(bars.keySet());
    List<Double> groups = new ArrayList<>(bars.values());
    List<Double> overall = new ArrayList<>();
    for (int i = 0; i < keys.size(); i++) {
      overall.add(i == keys.size() - 1 ? groups.get(i) : null);
    }
    groups.set(keys.size() - 1, null);
    chart.addSeries(breakdown.getBy(), keys, groups);
    chart.addSeries("overall", keys, overall);
    save(chart, png);
  }

  static double niceBelow(double value) {
    double decade = Math.pow(10, Math.floor(Math.log10(value)));
    for (double step : new double[] {5, 2, 1}) {
      if (step * decade <= value) {
        return step * decade;
      }
    }
    return decade;
  }

  static double niceAbove(double value) {
    double decade = Math.pow(10, Math.floor(Math.log10(value)));
    for (double step : new double[] {1, 2, 5, 10}) {
      if (step * decade >= value) {
        return step * decade;
      }
    }
    return 10 * decade;
  }

  static String fileSafe(String name) {
    return name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-|-$)", "");
  }

  private static Color translucent(Color color) {
    return new Color(color.getRed(), color.getGreen(), color.getBlue(), 150);
  }

  private static void save(Chart<?, ?> chart, Path png) throws IOException {
    try (OutputStream out = Files.newOutputStream(png)) {
      BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG);
    }
  }
}
