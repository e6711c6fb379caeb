package selflengthen.model.api;

import java.util.List;

/** Hyper-parameters. fullFineTune=false means LoRA over a frozen base. */
public record TrainingConfig(
    boolean fullFineTune,
    int loraRank,
    float loraAlpha,
    float loraDropout,
    List<String> loraTargets,
    float learningRate,
    float epochs,
    String lrScheduler,
    float warmupRatio,
    int cutoffLen,
    int batchSize,
    int gradientAccumulation,
    float weightDecay,
    int checkpointEvery,
    long seed) {

  /** The same settings with another learning rate and number of epochs (DPO after SFT). */
  public TrainingConfig withSchedule(float learningRate, float epochs) {
    return new TrainingConfig(fullFineTune, loraRank, loraAlpha, loraDropout, loraTargets,
        learningRate, epochs, lrScheduler, warmupRatio, cutoffLen, batchSize, gradientAccumulation,
        weightDecay, checkpointEvery, seed);
  }
}
