package selflengthen.workers.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import selflengthen.model.ModelFactory;
import selflengthen.model.ModelPresets;
import selflengthen.model.api.SftExample;
import selflengthen.model.api.TrainingConfig;
import selflengthen.model.api.TrainingJob;
import selflengthen.model.api.TrainingReport;
import selflengthen.model.config.ModelConfig;
import selflengthen.model.tokenizer.BpeTrainer;
import selflengthen.model.train.SftTrainer;

/**
 * The demo's seed chat model, made by the project's own code: a byte-level BPE vocabulary trained
 * on the demo corpus, a randomly initialised Qwen2-architecture model, and full-parameter SFT on the
 * corpus with the engine's trainer. The result is an ordinary Hugging Face checkpoint directory,
 * cached under a name derived from every setting (same settings, same model), rebuilt on request.
 */
public final class DemoSeedModel {
  /** Bump when the corpus or the recipe changes, so cached models are rebuilt. */
  static final int RECIPE_VERSION = 2;
  /** Positions the seed model holds: room for round-2 extension prompts plus their answers. */
  static final int MAX_POSITIONS = 4096;
  private static final String DONE_MARKER = "seed-model.json";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Shape, corpus and training of the seed model. */
  public record Settings(
      int hidden,
      int intermediate,
      int layers,
      int heads,
      int kvHeads,
      int vocab,
      DemoCorpus.Sizes corpus,
      float learningRate,
      float epochs,
      int batchSize,
      long seed) {

    /**
     * The demo's default: about 0.7M parameters, 240 optimizer steps. A vocabulary of 1280 holds
     * every word of the demo world as one token (768 split them into 1.7 tokens a word), which
     * makes every sequence of the run about a third shorter.
     */
    public static Settings demo() {
      return new Settings(128, 352, 3, 4, 2, 1280, DemoCorpus.Sizes.demo(), 3e-3f, 2f, 8, 7L);
    }

    /** The test suite's smaller recipe: the same model on a smaller corpus (about 165 steps). */
    public static Settings small() {
      return new Settings(128, 352, 3, 4, 2, 1280, DemoCorpus.Sizes.small(), 4e-3f, 2f, 8, 7L);
    }

    String fingerprint() {
      String text = RECIPE_VERSION + "|" + this;
      try {
        byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(d, 0, 6);
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /** A built seed model: its checkpoint directory and the tasks kept for the run. */
  public record Built(Path modelDir, List<String> seedTasks, List<String> heldOutTasks, boolean cached,
      TrainingReport training) {}

  private DemoSeedModel() {}

  /**
   * Returns the cached model for these settings under {@code cacheRoot}, building it first when
   * absent or when {@code rebuild} is set.
   */
  public static Built ensure(Path cacheRoot, Settings settings, boolean rebuild, PrintWriter log)
      throws IOException {
    Path dir = cacheRoot.resolve("seed-model-" + settings.fingerprint());
    DemoCorpus.Built corpus =
        new DemoCorpus(DemoPrompts.promptSet(), 2000)
            .build(settings.corpus(), settings.seed());
    if (!rebuild && Files.exists(dir.resolve(DONE_MARKER))) {
      log.printf("seed model: cached at %s (--rebuild-seed-model makes it again)%n", dir);
      log.flush();
      return new Built(dir, corpus.seedTasks(), corpus.heldOutTasks(), true, null);
    }
    deleteTree(dir);
    Path work = cacheRoot.resolve("seed-model-" + settings.fingerprint() + ".building");
    deleteTree(work);
    Files.createDirectories(work);

    BpeTrainer.Vocabulary vocab = ModelFactory.trainTokenizer(tokenizerText(corpus.examples()),
        settings.vocab());
    ModelConfig shape = ModelPresets.qwen2(settings.hidden(), settings.intermediate(),
        settings.layers(), settings.heads(), settings.kvHeads(), MAX_POSITIONS);
    Path init = work.resolve("init");
    ModelConfig config = ModelFactory.create(shape, vocab, settings.seed(), init);
    log.printf("seed model: %,d parameters, vocabulary %d, %d training examples%n",
        config.parameterCount(), vocab.size(), corpus.examples().size());
    log.flush();

    Path trained = work.resolve("model");
    TrainingConfig training = new TrainingConfig(true, 0, 0f, 0f, List.of(),
        settings.learningRate(), settings.epochs(), "cosine", 0.1f, 1024, settings.batchSize(), 1,
        0.01f, 100, settings.seed());
    long started = System.nanoTime();
    TrainingReport report = new SftTrainer().train(
        new TrainingJob(init, null, trained, work.resolve("checkpoints"), corpus.examples(), training),
        progress -> {
          if (progress.step() % 20 == 0 || progress.step() == progress.totalSteps()) {
            log.printf("seed model: pretraining step %d/%d  loss %.3f  %.0f tokens/s  %ds%n",
                progress.step(), progress.totalSteps(), progress.loss(), progress.tokensPerSecond(),
                (System.nanoTime() - started) / 1_000_000_000L);
            log.flush();
          }
        });
    ObjectNode marker = JSON.createObjectNode();
    marker.put("settings", settings.toString());
    marker.put("steps", report.steps());
    marker.put("first_loss", report.firstLoss());
    marker.put("final_loss", report.finalLoss());
    marker.put("tokens_per_second", report.tokensPerSecond());
    JSON.writerWithDefaultPrettyPrinter().writeValue(trained.resolve(DONE_MARKER).toFile(), marker);
    Files.move(trained, dir, StandardCopyOption.ATOMIC_MOVE);
    deleteTree(work);
    log.printf("seed model: trained in %ds, loss %.3f -> %.3f, saved to %s%n",
        (System.nanoTime() - started) / 1_000_000_000L, report.firstLoss(), report.finalLoss(), dir);
    log.flush();
    return new Built(dir, corpus.seedTasks(), corpus.heldOutTasks(), false, report);
  }

  private static String tokenizerText(List<SftExample> examples) {
    StringBuilder b = new StringBuilder();
    for (SftExample e : examples) {
      b.append(e.instruction()).append('\n').append(e.output()).append('\n');
    }
    return b.toString();
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.delete(p);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    }
  }
}
