package selflengthen.model.api;

import java.nio.file.Path;

/** What a finished job produced. */
public record TrainingReport(
    Path outputDir,
    long steps,
    double firstLoss,
    double finalLoss,
    double tokensPerSecond,
    long examples,
    boolean resumedFromCheckpoint) {}
