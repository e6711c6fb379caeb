package selflengthen.activities.train;

import selflengthen.model.api.TrainingConfig;
import selflengthen.v1.TrainMethod;
import selflengthen.v1.Training;

/** The engine's training configuration from a resolved spec's {@code training}. */
final class TrainingConfigs {
  private TrainingConfigs() {}

  static TrainingConfig of(Training t, long seed) {
    return new TrainingConfig(
        t.getMethod() == TrainMethod.TRAIN_METHOD_FULL,
        t.getLoraRank(),
        t.getLoraAlpha(),
        t.getLoraDropout(),
        t.getLoraTargetsList(),
        t.getLearningRate(),
        t.getEpochs(),
        t.getLrScheduler(),
        t.getWarmupRatio(),
        t.getCutoffLen(),
        t.getBatchSize(),
        t.getGradientAccumulation(),
        t.getWeightDecay(),
        t.getCheckpointEvery(),
        seed);
  }
}
