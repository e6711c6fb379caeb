package selflengthen.model.api;

/** One optimizer step's figures. */
public record TrainingProgress(
    long step, long totalSteps, double epoch, double loss, double learningRate, double tokensPerSecond) {}
