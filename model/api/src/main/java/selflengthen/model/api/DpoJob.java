package selflengthen.model.api;

import java.nio.file.Path;
import java.util.List;

/**
 * A DPO job. The policy is {@code baseModel} plus a LoRA adapter that starts as a copy of {@code
 * sftAdapter}; the reference is the frozen SFT policy (base plus {@code sftAdapter}). Without an
 * SFT adapter (null) the policy is a fresh LoRA of {@code config}'s rank over the base and the
 * reference is the base. {@code beta} is the DPO temperature (0.1 in LLaMA-Factory and TRL). The
 * other hyper-parameters (learning rate, epochs, schedule, cut-off, pairs per micro-batch,
 * accumulation, checkpoint interval, seed) come from {@code config}; its LoRA rank, alpha and
 * targets are used only without an SFT adapter.
 */
public record DpoJob(
    Path baseModel,
    Path sftAdapter,
    Path outputDir,
    Path checkpointDir,
    List<PreferenceExample> pairs,
    TrainingConfig config,
    double beta) {
  public static final double DEFAULT_BETA = 0.1;
}
