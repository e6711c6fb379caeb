package selflengthen.activities.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import selflengthen.spec.SpecDefaults;
import selflengthen.v1.Extension;
import selflengthen.v1.InitialResponses;
import selflengthen.v1.LengthControl;
import selflengthen.v1.Measurement;
import selflengthen.v1.Models;
import selflengthen.v1.Parallelism;
import selflengthen.v1.RunSpec;
import selflengthen.v1.SelfInstruct;
import selflengthen.v1.Training;

/** Files and specs of tiny runs: a seed file, a checkpoint-shaped directory, a small spec. */
public final class TestRuns {
  public static final List<String> SEEDS =
      List.of(
          "Write a long essay on the history of bridges and how engineers learned to span rivers.",
          "Write a detailed guide to keeping bees in a city garden through all four seasons.",
          "Write a short story of several thousand words about a lighthouse keeper and a storm.",
          "Write an in-depth report on how public libraries changed in the twentieth century.",
          "Write a thorough analysis of the causes and effects of the printing press in Europe.",
          "Write a long travel diary of a journey by train across three countries in winter.",
          "Write a complete beginner's handbook on learning to play the cello as an adult.",
          "Write a detailed business plan for a bakery that delivers bread by bicycle.",
          "Write a long letter from a grandmother explaining her life to her grandson.",
          "Write an extensive comparison of three ways to heat a house and their costs.");

  private TestRuns() {}

  /** A JSONL seed file of the given instructions. */
  public static Path seedFile(Path dir, List<String> instructions) {
    StringBuilder b = new StringBuilder();
    for (String i : instructions) {
      b.append("{\"instruction\": \"").append(i.replace("\"", "\\\"")).append("\"}\n");
    }
    return write(dir.resolve("seeds.jsonl"), b.toString());
  }

  /** A directory shaped like a Hugging Face checkpoint (config.json, tokenizer.json). */
  public static Path modelDir(Path dir) {
    Path m = dir.resolve("tiny-model");
    write(m.resolve("config.json"), "{\"model_type\": \"qwen2\"}\n");
    write(m.resolve("tokenizer.json"), "{}\n");
    return m;
  }

  /**
   * A complete, tiny spec: 2 rounds of 6 instructions in shards of 2, 2 answers each, 2 extension
   * attempts of 3 tries, 3 held-out instructions, length control over 100-3000 words.
   */
  public static RunSpec.Builder spec(String runId, Path dataRoot, Path seedFile, Path model) {
    return RunSpec.newBuilder()
        .setRunId(runId)
        .setDataRoot(dataRoot.toString())
        .setSeed(7)
        .setRounds(2)
        .setModels(Models.newBuilder().setBaseModel(model.toString()).setMaxBatchSize(4))
        .setSelfInstruct(
            SelfInstruct.newBuilder().setSeedFile(seedFile.toString()).setInstructionsPerRound(6).setMaxTries(6))
        .setInitialResponses(InitialResponses.newBuilder().setPerInstruction(2).setMaxTries(6))
        .setExtension(Extension.newBuilder().setAttempts(2).setMaxTries(3).setMicroIterations(3))
        .setParallelism(Parallelism.newBuilder().setShardSize(2).setMaxConcurrentShards(3).setStragglerFraction(1f))
        .setMeasurement(Measurement.newBuilder().setHeldOutCount(3))
        .setTraining(Training.newBuilder().setLoraRank(4))
        .setLengthControl(LengthControl.newBuilder().setMinWords(100).setMaxWords(3000).setRoundTo(100))
        // The collection pass at test scale (the default is the reference's 5000).
        .setCollect(selflengthen.v1.Collect.newBuilder().setTotalCount(4));
  }

  /** The spec with every default filled in, as prepareRun returns it. */
  public static RunSpec resolved(RunSpec.Builder spec) {
    return SpecDefaults.resolve(spec.build());
  }

  private static Path write(Path file, String text) {
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, text);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
