package selflengthen.model.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import selflengthen.model.config.Checkpoint;
import selflengthen.model.engine.Djl;
import selflengthen.model.TinyModels;
import selflengthen.model.api.DpoJob;
import selflengthen.model.api.DpoReport;
import selflengthen.model.api.TrainingConfig;
import selflengthen.model.api.TrainingProgress;
import selflengthen.model.lora.LoraConfig;
import selflengthen.model.lora.LoraWeights;

/** DPO runs on the tiny model: the margin grows, the adapter loads, a resumed run retraces. */
class DpoTrainerTest {
  @TempDir Path dir;

  static TrainingConfig config(float lr, float epochs, int every) {
    return new TrainingConfig(false, 8, 16f, 0f, List.of(), lr, epochs, "constant", 0f, 256, 2, 1,
        0f, every, 13L);
  }

  Path sftAdapter() throws Exception {
    Path sft = dir.resolve("sft");
    if (!Files.exists(sft)) {
      Djl.engine();
      Checkpoint base = Checkpoint.read(TinyModels.tiny());
      try (NDManager m = NDManager.newBaseManager(Device.cpu());
          LoraWeights w = DpoLossTest.randomAdapter(base, m, 5)) {
        w.save(sft, TinyModels.tiny().toString());
      }
    }
    return sft;
  }

  DpoJob job(String name, TrainingConfig c) throws Exception {
    return new DpoJob(TinyModels.tiny(), sftAdapter(), dir.resolve(name + "-out"),
        dir.resolve(name + "-ckpt"), DpoLossTest.PAIRS, c, DpoJob.DEFAULT_BETA);
  }

  @Test
  void aFewStepsRaiseTheChosenOverRejectedMarginAndTheAdapterLoads() throws Exception {
    List<TrainingProgress> steps = new ArrayList<>();
    DpoReport r = new DpoTrainer().train(job("a", config(1e-2f, 4, 0)), steps::add);
    assertEquals(8, r.training().steps(), "3 pairs, 2 per step: 2 steps an epoch");
    assertEquals(8, steps.size());
    // the policy starts as the SFT adapter, equal to the reference: margin 0, loss log 2
    assertEquals(Math.log(2), r.training().firstLoss(), 1e-5);
    assertEquals(0, r.firstMargin(), 1e-4);
    assertTrue(r.training().finalLoss() < Math.log(2) - 0.05, "loss " + r.training().finalLoss());
    assertTrue(r.lastMargin() > 0.1, "margin " + r.lastMargin());
    assertEquals(1.0, r.lastAccuracy(), 1e-9);

    // measured independently: log p(chosen) - log p(rejected) grows for every pair
    double[][] before = DpoTrainer.logProbs(TinyModels.tiny(), sftAdapter(), DpoLossTest.PAIRS,
        256);
    double[][] after = DpoTrainer.logProbs(TinyModels.tiny(), r.training().outputDir(),
        DpoLossTest.PAIRS, 256);
    for (int i = 0; i < before.length; i++) {
      double gain = (after[i][0] - after[i][1]) - (before[i][0] - before[i][1]);
      assertTrue(gain > 0.5, "pair " + i + ": margin gain " + gain);
    }
    // the output is a PEFT adapter of the SFT adapter's shape
    LoraConfig out = LoraConfig.read(r.training().outputDir());
    assertEquals(LoraConfig.read(sftAdapter()), out);
    assertTrue(Files.exists(r.training().outputDir().resolve("adapter_model.safetensors")));
  }

  @Test
  void resumedRunContinuesTheSameLossCurve() throws Exception {
    List<Double> straight = new ArrayList<>();
    new DpoTrainer().train(job("full", config(1e-2f, 3, 0)), p -> straight.add(p.loss()));
    assertEquals(6, straight.size());

    DpoJob interrupted = job("crash", config(1e-2f, 3, 2));
    assertThrows(IllegalStateException.class, () -> new DpoTrainer().train(interrupted, p -> {
      if (p.step() == 3) {
        throw new IllegalStateException("worker died");
      }
    }));
    assertTrue(Files.exists(interrupted.checkpointDir().resolve("reference_logprobs.json")));
    List<TrainingProgress> rest = new ArrayList<>();
    DpoReport r = new DpoTrainer().train(interrupted, rest::add);
    assertTrue(r.training().resumedFromCheckpoint());
    assertEquals(3, rest.get(0).step(), "restarts after the checkpoint of step 2");
    for (TrainingProgress p : rest) {
      assertEquals(straight.get((int) p.step() - 1), p.loss(), 1e-5, "step " + p.step());
    }
    assertArrayEquals(TrainerTest.floats(dir.resolve("full-out"), 2),
        TrainerTest.floats(r.training().outputDir(), 2), 1e-5f);
  }

  @Test
  void withoutAnSftAdapterTheReferenceIsTheBase() {
    DpoJob j = new DpoJob(TinyModels.tiny(), null, dir.resolve("b-out"), dir.resolve("b-ckpt"),
        DpoLossTest.PAIRS, config(1e-2f, 1, 0), DpoJob.DEFAULT_BETA);
    DpoReport r = new DpoTrainer().train(j, p -> { });
    // a fresh LoRA has B = 0: the first step's policy is the base, the reference
    assertEquals(Math.log(2), r.training().firstLoss(), 1e-5);
    assertEquals(8, readConfig(r.training().outputDir()).rank(), "the job's LoRA rank");
  }

  private static LoraConfig readConfig(Path p) {
    try {
      return LoraConfig.read(p);
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void refusesABadJob() throws Exception {
    assertThrows(IllegalArgumentException.class, () -> new DpoTrainer().train(
        new DpoJob(TinyModels.tiny(), sftAdapter(), dir.resolve("x"), dir.resolve("y"),
            DpoLossTest.PAIRS, config(1e-2f, 1, 0), 0), p -> { }));
    assertThrows(IllegalArgumentException.class, () -> new DpoTrainer().train(
        new DpoJob(TinyModels.tiny(), sftAdapter(), dir.resolve("x"), dir.resolve("y"),
            List.of(), config(1e-2f, 1, 0), 0.1), p -> { }));
  }
}
