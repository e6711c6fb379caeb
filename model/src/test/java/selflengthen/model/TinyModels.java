package selflengthen.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** One tiny checkpoint per test JVM, built by the same code as `selflengthen model init`. */
public final class TinyModels {
  private static Path dir;
  private static Path pretrained;

  private TinyModels() {}

  /**
   * The tiny model after a short full fine-tune on the built-in corpus (sentences as answers to
   * "Continue the text."): a base whose embeddings have grown past their random scale, so that
   * LoRA tests see a model that can learn, as a real checkpoint does.
   */
  public static synchronized Path pretrained() {
    if (pretrained == null) {
      try {
        Path d = Files.createTempDirectory("tiny-pretrained");
        java.util.List<selflengthen.model.api.SftExample> data = new java.util.ArrayList<>();
        for (String line : ModelFactory.builtinCorpus().split("(?<=[.!?。])\\s+")) {
          if (line.length() > 20) {
            data.add(new selflengthen.model.api.SftExample("Continue the text.", "", line.trim()));
          }
        }
        var config = new selflengthen.model.api.TrainingConfig(true, 0, 0f, 0f, java.util.List.of(),
            1e-2f, 2, "cosine", 0.05f, 64, 16, 1, 0f, 0, 3L);
        new selflengthen.model.train.SftTrainer().train(new selflengthen.model.api.TrainingJob(
            tiny(), null, d.resolve("model"), d.resolve("ckpt"), data, config), p -> { });
        pretrained = d.resolve("model");
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
    return pretrained;
  }

  public static synchronized Path tiny() {
    if (dir == null) {
      try {
        Path d = Files.createTempDirectory("tiny-model");
        ModelFactory.init("tiny", d, 7L, null);
        d.toFile().deleteOnExit();
        dir = d;
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
    return dir;
  }
}
