package selflengthen.activities.control;

import java.awt.Color;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.BoxChart;
import org.knowm.xchart.BoxChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The report's PNG charts, drawn off-screen with XChart. */
final class ReportCharts {
  static {
    // Charts are rendered into images; a worker has no display.
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
  }

  private ReportCharts() {}

  /** One box per series (e.g. "seed held-out", "round 1 held-out", ...), in the map's order. */
  static void lengthDistribution(String title, Map<String, List<Integer>> series, Path png) throws IOException {
    BoxChart chart =
        new BoxChartBuilder()
            .width(Math.max(720, 160 * series.size()))
            .height(520)
            .title(title)
            .xAxisTitle("")
            .yAxisTitle("words")
            .build();
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setPlotBackgroundColor(Color.WHITE);
    chart.getStyler().setLegendVisible(false);
    chart.getStyler().setYAxisDecimalPattern("#,###");
    chart.getStyler().setXAxisLabelRotation(series.size() > 4 ? 20 : 0);
    for (Map.Entry<String, List<Integer>> e : series.entrySet()) {
      chart.addSeries(e.getKey() + " (n=" + e.getValue().size() + ")", e.getValue());
    }
    save(chart, png);
  }

  /** Lines over rounds (x = round, 0 = the seed model); a series may skip rounds (NaN = none). */
  static void meansByRound(String title, Map<String, double[]> series, int rounds, Path png) throws IOException {
    XYChart chart =
        new XYChartBuilder().width(760).height(480).title(title).xAxisTitle("round (0 = seed model)")
            .yAxisTitle("mean words").build();
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setPlotBackgroundColor(Color.WHITE);
    chart.getStyler().setXAxisDecimalPattern("0");
    chart.getStyler().setYAxisDecimalPattern("#,###");
    chart.getStyler().setXAxisMin(0.0).setXAxisMax((double) Math.max(1, rounds));
    chart.getStyler().setYAxisMin(0.0);
    chart.getStyler().setMarkerSize(8);
    for (Map.Entry<String, double[]> e : series.entrySet()) {
      double[] y = e.getValue();
      int n = 0;
      for (double v : y) {
        n += Double.isNaN(v) ? 0 : 1;
      }
      if (n == 0) {
        continue;
      }
      double[] xs = new double[n];
      double[] ys = new double[n];
      int j = 0;
      for (int i = 0; i < y.length; i++) {
        if (!Double.isNaN(y[i])) {
          xs[j] = i;
          ys[j++] = y[i];
        }
      }
      XYSeries s = chart.addSeries(e.getKey(), xs, ys);
      s.setMarker(SeriesMarkers.CIRCLE);
    }
    save(chart, png);
  }

  private static void save(Chart<?, ?> chart, Path png) throws IOException {
    Files.createDirectories(png.getParent());
    Path tmp = png.resolveSibling("." + png.getFileName() + ".tmp");
    try (OutputStream out = Files.newOutputStream(tmp)) {
      BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG);
    }
    Files.move(tmp, png, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }
}
