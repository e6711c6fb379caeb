package selflengthen.model.external;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import selflengthen.model.config.Checkpoint;
import selflengthen.model.engine.Djl;
import selflengthen.model.TinyModels;
import selflengthen.model.api.DpoJob;
import selflengthen.model.api.DpoReport;
import selflengthen.model.api.PreferenceExample;
import selflengthen.model.api.TrainingConfig;
import selflengthen.model.api.TrainingJob;
import selflengthen.model.api.TrainingReport;
import selflengthen.model.lora.LoraConfig;
import selflengthen.model.lora.LoraWeights;
import selflengthen.model.train.DpoTrainer;

/**
 * The stage: dpo YAML the external route writes, trained by this project's trainer behind
 * LLaMA-Factory's interface ({@code selflengthen train config.yaml}): the same DPO run as the
 * in-process trainer given the job directly.
 */
class LlamaFactoryDpoJobTest {
  @TempDir Path tmp;

  static final List<PreferenceExample> PAIRS = List.of(
      new PreferenceExample("Name a river.", "", "The Nile flows north through the desert.",
          "The Nile."),
      new PreferenceExample("Describe bread.", "", "Flour, water, salt and yeast, baked.",
          "Bread is food."),
      new PreferenceExample("Translate", "hello", "bonjour", "hello hello"));

  private Path sftAdapter() throws Exception {
    Path sft = tmp.resolve("sft");
    Djl.engine();
    Checkpoint base = Checkpoint.read(TinyModels.tiny());
    try (NDManager m = NDManager.newBaseManager(Device.cpu());
        LoraWeights w = LoraWeights.init(base.config(), new LoraConfig(4, 8f, 0f, List.of(),
            false), 3, m)) {
      SplittableRandom r = new SplittableRandom(3);
      for (var e : w.parameters().entrySet()) {
        if (e.getKey().contains("lora_B")) {
          float[] f = new float[(int) e.getValue().getShape().size()];
          for (int i = 0; i < f.length; i++) {
            f[i] = (float) (r.nextGaussian() * 0.05);
          }
          e.getValue().set(new ai.djl.ndarray.index.NDIndex("..."),
              m.create(f, e.getValue().getShape()));
        }
      }
      w.save(sft, TinyModels.tiny().toString());
    }
    return sft;
  }

  private static TrainingConfig config() {
    return new TrainingConfig(false, 4, 8f, 0f, List.of(), 1e-2f, 2, "constant", 0f, 256, 2, 1,
        0f, 0, 13L);
  }

  private Path writeYaml(DpoJob job, Map<String, Object> extra) throws Exception {
    TrainerLayout layout = TrainerLayout.of(new TrainingJob(job.baseModel(), job.sftAdapter(),
        job.outputDir(), job.checkpointDir(), List.of(), job.config()));
    LlamaFactoryDpoFiles.write(job, ExternalTrainerConfig.of("x").withExtraArguments(extra),
        layout, null);
    return layout.configFile();
  }

  @Test
  void theDpoYamlTrainsInProcessAsTheDirectJobDoes() throws Exception {
    Path sft = sftAdapter();
    DpoJob direct = new DpoJob(TinyModels.tiny(), sft, tmp.resolve("direct"),
        tmp.resolve("direct-ckpt"), PAIRS, config(), 0.1);
    List<Double> losses = new ArrayList<>();
    DpoReport expected = new DpoTrainer().train(direct, p -> losses.add(p.loss()));

    DpoJob viaYaml = new DpoJob(TinyModels.tiny(), sft, tmp.resolve("yaml-out"),
        tmp.resolve("yaml-ckpt"), PAIRS, config(), 0.1);
    Path yaml = writeYaml(viaYaml, Map.of());
    LlamaFactoryDpoJob read = LlamaFactoryDpoJob.read(yaml);
    assertEquals(0.1, read.job().beta(), 1e-12);
    assertEquals(sft.toAbsolutePath(), read.job().sftAdapter());
    assertEquals(PAIRS.get(2).instruction() + "\n\n" + PAIRS.get(2).input(),
        read.job().pairs().get(2).instruction());

    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    TrainingReport r = LlamaFactoryTraining.run(yaml, "cpu",
        new PrintStream(bytes, true, StandardCharsets.UTF_8));
    String log = bytes.toString(StandardCharsets.UTF_8);
    assertEquals(expected.training().steps(), r.steps());
    assertEquals(expected.training().finalLoss(), r.finalLoss(), 1e-5);
    assertTrue(log.contains("'rewards/margins'"), log);
    TrainerLogParser parser = new TrainerLogParser(0, 1);
    List<Double> parsed = new ArrayList<>();
    for (String line : log.split("\n")) {
      parser.accept(line, System.nanoTime()).ifPresent(p -> parsed.add(p.loss()));
    }
    assertEquals(losses.size(), parsed.size());
    for (int i = 0; i < losses.size(); i++) {
      assertEquals(losses.get(i), parsed.get(i), 1e-5);
    }
    Path out = read.job().outputDir();
    assertTrue(Files.exists(out.resolve("adapter_model.safetensors")));
    assertTrue(Files.exists(out.resolve("trainer_state.json")));
    assertEquals(LoraConfig.read(sft), LoraConfig.read(out));
  }

  @Test
  void configsItCannotHonourAreRefused() throws Exception {
    Path sft = tmp.resolve("sft-only-a-path");
    DpoJob job = new DpoJob(TinyModels.tiny(), sft, tmp.resolve("o"), tmp.resolve("c"), PAIRS,
        config(), 0.1);
    assertThrows(IllegalArgumentException.class,
        () -> LlamaFactoryDpoJob.read(writeYaml(job, Map.of("pref_loss", "orpo"))));
    assertThrows(IllegalArgumentException.class,
        () -> LlamaFactoryDpoJob.read(writeYaml(job, Map.of("pref_ftx", 1.0))));
    assertThrows(IllegalArgumentException.class,
        () -> LlamaFactoryDpoJob.read(writeYaml(job, Map.of("ref_model_adapters", "/elsewhere"))));
    assertThrows(IllegalArgumentException.class,
        () -> LlamaFactoryDpoJob.read(writeYaml(job, Map.of("flash_attn", "fa2"))));
    assertEquals("dpo", LlamaFactoryDpoJob.stage(writeYaml(job, Map.of())));
  }
}
