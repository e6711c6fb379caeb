package selflengthen.model.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import selflengthen.model.api.SftExample;
import selflengthen.model.api.TrainingConfig;
import selflengthen.model.api.TrainingJob;

/**
 * Where a run stands: optimizer steps done, the loss curve so far, and a fingerprint of the job
 * (base model, data, hyper-parameters) so that a checkpoint directory is never resumed by a
 * different job.
 */
record TrainingState(String fingerprint, long step, long totalSteps, List<Double> losses) {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final String FILE = "trainer_state.json";

  static TrainingState start(String fingerprint, long totalSteps) {
    return new TrainingState(fingerprint, 0, totalSteps, List.of());
  }

  TrainingState after(long newStep, double loss) {
    List<Double> l = new ArrayList<>(losses);
    l.add(loss);
    return new TrainingState(fingerprint, newStep, totalSteps, l);
  }

  double firstLoss() {
    return losses.isEmpty() ? Double.NaN : losses.get(0);
  }

  double lastLoss() {
    return losses.isEmpty() ? Double.NaN : losses.get(losses.size() - 1);
  }

  void write(Path dir) throws IOException {
    ObjectNode n = JSON.createObjectNode();
    n.put("fingerprint", fingerprint);
    n.put("global_step", step);
    n.put("max_steps", totalSteps);
    var a = n.putArray("losses");
    losses.forEach(a::add);
    JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve(FILE).toFile(), n);
  }

  /** The state of the latest checkpoint in {@code dir}, or null when there is none. */
  static TrainingState load(Path checkpointDir, String expectedFingerprint) throws IOException {
    Path latest = checkpointDir.resolve(TrainingCheckpoints.LATEST);
    if (!Files.exists(latest)) {
      return null;
    }
    Path dir = checkpointDir.resolve(Files.readString(latest).trim());
    JsonNode n = JSON.readTree(dir.resolve(FILE).toFile());
    String fp = n.path("fingerprint").asText();
    if (!fp.equals(expectedFingerprint)) {
      throw new IllegalStateException(checkpointDir + " holds checkpoints of a different job"
          + " (base model, data or hyper-parameters changed); use a new checkpoint directory");
    }
    List<Double> losses = new ArrayList<>();
    n.path("losses").forEach(x -> losses.add(x.asDouble()));
    return new TrainingState(fp, n.path("global_step").asLong(), n.path("max_steps").asLong(),
        losses);
  }

  static String fingerprint(TrainingJob job, int samples) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      TrainingConfig c = job.config();
      update(md, job.baseModel().toAbsolutePath().normalize().toString());
      update(md, job.initAdapter() == null ? "-" : job.initAdapter().toAbsolutePath().normalize()
          .toString());
      update(md, c.fullFineTune() + "|" + c.loraRank() + "|" + c.loraAlpha() + "|"
          + c.loraDropout() + "|" + c.loraTargets() + "|" + c.learningRate() + "|" + c.epochs()
          + "|" + c.lrScheduler() + "|" + c.warmupRatio() + "|" + c.cutoffLen() + "|"
          + c.batchSize() + "|" + c.gradientAccumulation() + "|" + c.weightDecay() + "|"
          + c.seed() + "|" + samples);
      for (SftExample e : job.examples()) {
        update(md, e.instruction());
        update(md, e.input());
        update(md, e.output());
      }
      return HexFormat.of().formatHex(md.digest()).substring(0, 32);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void update(MessageDigest md, String s) {
    md.update((s == null ? "\u0000" : s).getBytes(StandardCharsets.UTF_8));
    md.update((byte) 0x1e);
  }
}
