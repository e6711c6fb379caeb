package selflengthen.model.external;

import java.nio.file.Path;
import selflengthen.model.api.TrainingJob;

/**
 * Where an external training job keeps its files. Everything lives under the job's checkpoint
 * directory so a retry finds it: {@code job/} holds the YAML, the data set and the log, {@code
 * output/} is the trainer's output_dir (checkpoint-N directories and the final model). The output
 * directory holds nothing else, as LLaMA-Factory wants it.
 */
record TrainerLayout(
    Path root, Path jobDir, Path datasetDir, Path configFile, Path logFile, Path trainerOutput) {

  static TrainerLayout of(TrainingJob job) {
    Path root =
        job.checkpointDir() != null
            ? job.checkpointDir().toAbsolutePath().normalize()
            : job.outputDir().toAbsolutePath().normalize().resolve("trainer-work");
    Path jobDir = root.resolve("job");
    return new TrainerLayout(
        root,
        jobDir,
        jobDir.resolve("data"),
        jobDir.resolve("train.yaml"),
        jobDir.resolve("train.log"),
        root.resolve("output"));
  }
}
