package selflengthen.model.external;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import selflengthen.model.api.TrainingProgress;

/**
 * Reads training progress from transformers / LLaMA-Factory console output: the training bar of
 * tqdm ({@code 40%|████ | 4/10 [00:01<00:02, 2.00it/s]}) gives the step and the total, the "Total
 * optimization steps = N" banner the total, and each logging dict ({@code {'loss': 1.23,
 * 'learning_rate': 1e-04, 'epoch': 0.5}}) one progress report. Bars with a description (dataset
 * tokenization, checkpoint-shard loading) are not the training bar and are ignored.
 */
final class TrainerLogParser {
  private static final Pattern TRAINING_BAR =
      Pattern.compile("^\\s*\\d{1,3}%\\|[^|]*\\|\\s*(\\d+)/(\\d+)\\s*\\[");
  private static final Pattern TOTAL_BANNER =
      Pattern.compile("Total optimization steps\\s*=\\s*([\\d,]+)");
  private static final Pattern FIELD =
      Pattern.compile(
          "'([A-Za-z_]+)'\\s*:\\s*'?(-?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][-+]?\\d+)?|nan|inf)'?");

  private final int loggingSteps;
  private long barStep;
  private long lastStep;
  private long totalSteps;
  private Long lastTokensSeen;
  private long lastTokensNanos;
  private double tokensPerSecond;

  /** {@code startStep} is the step of the checkpoint resumed from (0 for a fresh run). */
  TrainerLogParser(long startStep, int loggingSteps) {
    this.lastStep = startStep;
    this.barStep = startStep;
    this.loggingSteps = Math.max(1, loggingSteps);
  }

  /** The progress a line reports, if it is a logging dict with a loss. */
  Optional<TrainingProgress> accept(String line, long nowNanos) {
    Matcher bar = TRAINING_BAR.matcher(line);
    if (bar.find()) {
      barStep = Math.max(barStep, Long.parseLong(bar.group(1)));
      totalSteps = Long.parseLong(bar.group(2));
      return Optional.empty();
    }
    Matcher banner = TOTAL_BANNER.matcher(line);
    if (banner.find()) {
      totalSteps = Long.parseLong(banner.group(1).replace(",", ""));
      return Optional.empty();
    }
    String trimmed = line.strip();
    if (!trimmed.startsWith("{") || !trimmed.contains("'loss'")) {
      return Optional.empty();
    }
    Map<String, Double> fields = fields(trimmed);
    Double loss = fields.get("loss");
    if (loss == null) {
      return Optional.empty();
    }
    // The bar can lag behind the logs (tqdm redraws at most every 0.1 s); every log is one
    // interval.
    lastStep = Math.max(barStep, lastStep + loggingSteps);
    Double seen = fields.get("num_input_tokens_seen");
    if (seen != null) {
      if (lastTokensSeen != null && nowNanos > lastTokensNanos && seen > lastTokensSeen) {
        tokensPerSecond = (seen - lastTokensSeen) / ((nowNanos - lastTokensNanos) / 1e9);
      }
      lastTokensSeen = seen.longValue();
      lastTokensNanos = nowNanos;
    }
    return Optional.of(
        new TrainingProgress(
            lastStep,
            Math.max(totalSteps, lastStep),
            fields.getOrDefault("epoch", 0.0),
            loss,
            fields.getOrDefault("learning_rate", 0.0),
            tokensPerSecond));
  }

  long lastStep() {
    return lastStep;
  }

  private static Map<String, Double> fields(String dict) {
    Map<String, Double> fields = new HashMap<>();
    Matcher field = FIELD.matcher(dict);
    while (field.find()) {
      String number = field.group(2);
      double value =
          switch (number) {
            case "nan" -> Double.NaN;
            case "inf" -> Double.POSITIVE_INFINITY;
            default -> Double.parseDouble(number);
          };
      fields.put(field.group(1), value);
    }
    return fields;
  }
}
