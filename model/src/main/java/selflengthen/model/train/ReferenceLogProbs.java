package selflengthen.model.train;

import ai.djl.ndarray.NDScope;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import selflengthen.model.lora.LoraWeights;
import selflengthen.model.nn.DecoderModel;
import selflengthen.model.nn.LoraDelta;

/**
 * The reference model's summed response log-probabilities of each pair, computed once (grad mode
 * off is the caller's) and kept next to the checkpoints under the job's fingerprint, so a resumed
 * DPO run reads them instead of running the reference again.
 */
final class ReferenceLogProbs {
  static final String FILE = "reference_logprobs.json";
  private static final ObjectMapper JSON = new ObjectMapper();

  private ReferenceLogProbs() {}

  /** Reference log-probabilities [chosen, rejected][pair] under base plus {@code adapter}. */
  static double[][] compute(DecoderModel model, Path adapter, List<PreferenceDataset.Pair> data,
      int batch) throws IOException {
    double[][] out = new double[2][data.size()];
    LoraWeights ref = adapter == null ? null
        : LoraWeights.load(adapter, model.config(), model.manager(), model.device());
    try {
      LoraDelta delta = ref == null ? null : ref.trainingDelta(0f, false);
      for (int start = 0; start < data.size(); start += batch) {
        int end = Math.min(data.size(), start + batch);
        List<SftDataset.Sample> seqs = new ArrayList<>();
        for (int i = start; i < end; i++) {
          seqs.add(data.get(i).chosen());
        }
        for (int i = start; i < end; i++) {
          seqs.add(data.get(i).rejected());
        }
        try (NDScope scope = new NDScope()) {
          float[] lp = DpoLoss.sequenceLogProbs(model, delta, seqs).toFloatArray();
          for (int i = start; i < end; i++) {
            out[0][i] = lp[i - start];
            out[1][i] = lp[end - start + i - start];
          }
        }
      }
    } finally {
      if (ref != null) {
        ref.close();
      }
    }
    return out;
  }

  static double[][] cached(Path dir, String fingerprint, DecoderModel model,
      Path adapter, List<PreferenceDataset.Pair> data, int batch) throws IOException {
    Path file = dir.resolve(FILE);
    if (Files.exists(file)) {
      JsonNode n = JSON.readTree(file.toFile());
      if (n.path("fingerprint").asText().equals(fingerprint)
          && n.path("chosen").size() == data.size()) {
        double[][] out = new double[2][data.size()];
        for (int i = 0; i < data.size(); i++) {
          out[0][i] = n.path("chosen").get(i).asDouble();
          out[1][i] = n.path("rejected").get(i).asDouble();
        }
        return out;
      }
    }
    double[][] out = compute(model, adapter, data, batch);
    ObjectNode n = JSON.createObjectNode();
    n.put("fingerprint", fingerprint);
    var c = n.putArray("chosen");
    var r = n.putArray("rejected");
    for (int i = 0; i < data.size(); i++) {
      c.add(out[0][i]);
      r.add(out[1][i]);
    }
    Files.createDirectories(dir);
    Path tmp = dir.resolve(FILE + ".tmp");
    JSON.writeValue(tmp.toFile(), n);
    Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    return out;
  }
}
