package selflengthen.model.inspect;

import ai.djl.Device;
import ai.djl.ndarray.NDScope;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import selflengthen.model.config.Checkpoint;
import selflengthen.model.config.ModelConfig;
import selflengthen.model.engine.Djl;
import selflengthen.model.lora.FusedLora;
import selflengthen.model.lora.LoraWeights;
import selflengthen.model.nn.DecoderModel;
import selflengthen.model.nn.KvCache;
import selflengthen.model.tokenizer.TextTokenizer;

/**
 * The engine's logits at every position of a few texts, for a checkpoint alone or with a PEFT
 * LoRA adapter applied: what another implementation (transformers + peft) must reproduce for a
 * checkpoint or adapter this project wrote to be usable there as it is. Texts are encoded
 * without special tokens or a chat template, so the other side can be fed the same ids.
 */
public final class CheckpointLogits {
  /** One text: its token ids and the logits row [vocab] the model gives after each id. */
  public record Case(String text, int[] ids, float[][] logits) {}

  private CheckpointLogits() {}

  /**
   * @param adapter a PEFT LoRA adapter directory, or null for the checkpoint alone
   */
  public static List<Case> compute(Path checkpointDir, Path adapter, List<String> texts)
      throws IOException {
    Djl.engine();
    Checkpoint checkpoint = Checkpoint.read(checkpointDir);
    ModelConfig config = checkpoint.config();
    Device cpu = Device.cpu();
    List<Case> cases = new ArrayList<>();
    try (TextTokenizer tokenizer = checkpoint.loadTokenizer();
        DecoderModel model = DecoderModel.load(config, checkpointDir, cpu);
        LoraWeights lora = adapter == null ? null
            : LoraWeights.load(adapter, config, model.manager(), cpu);
        FusedLora fused = lora == null ? null : lora.fused(model.manager())) {
      for (String text : texts) {
        int[] ids = tokenizer.encode(text);
        if (ids.length == 0) {
          throw new IllegalArgumentException("text encodes to no tokens: '" + text + "'");
        }
        if (ids.length > config.maxPositionEmbeddings()) {
          throw new IllegalArgumentException("text of " + ids.length + " tokens is longer than the"
              + " model's " + config.maxPositionEmbeddings() + " positions");
        }
        cases.add(new Case(text, ids, forward(model, config, ids, fused)));
      }
    }
    return cases;
  }

  private static float[][] forward(DecoderModel model, ModelConfig config, int[] ids,
      FusedLora lora) {
    long[] tokens = new long[ids.length];
    for (int i = 0; i < ids.length; i++) {
      tokens[i] = ids[i];
    }
    int vocab = config.vocabSize();
    try (NDScope scope = new NDScope();
        KvCache cache = new KvCache(config, 1, ids.length, model.manager(), model.device())) {
      float[] all = model.forward(tokens, 1, ids.length, 0, new int[] {0}, null, cache, lora)
          .toFloatArray();
      float[][] rows = new float[ids.length][vocab];
      for (int p = 0; p < ids.length; p++) {
        System.arraycopy(all, p * vocab, rows[p], 0, vocab);
      }
      return rows;
    }
  }
}
