package selflengthen.model.api;

import java.nio.file.Path;
import java.util.List;

/**
 * A supervised fine-tuning job. {@code initAdapter} (nullable) is the adapter to continue from;
 * {@code outputDir} receives the PEFT adapter (or full checkpoint); {@code checkpointDir} holds
 * resumable checkpoints: a job restarted with the same checkpointDir continues where it stopped.
 */
public record TrainingJob(
    Path baseModel,
    Path initAdapter,
    Path outputDir,
    Path checkpointDir,
    List<SftExample> examples,
    TrainingConfig config) {}
