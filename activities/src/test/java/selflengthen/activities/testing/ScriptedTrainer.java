package selflengthen.activities.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import selflengthen.model.api.SftExample;
import selflengthen.model.api.Trainer;
import selflengthen.model.api.TrainingJob;
import selflengthen.model.api.TrainingListener;
import selflengthen.model.api.TrainingProgress;
import selflengthen.model.api.TrainingReport;

/**
 * A trainer for tests: one "step" per example with a falling loss, each reported to the listener;
 * writes a PEFT-shaped adapter (adapter_config.json naming the base and the adapter it started
 * from, and adapter_model.safetensors whose bytes depend on the examples and the seed) and a
 * checkpoint marker.
 */
public final class ScriptedTrainer implements Trainer {
  public final List<TrainingJob> jobs = Collections.synchronizedList(new ArrayList<>());

  @Override
  public TrainingReport train(TrainingJob job, TrainingListener listener) {
    jobs.add(job);
    int steps = job.examples().size();
    for (int s = 1; s <= steps; s++) {
      listener.onStep(new TrainingProgress(s, steps, (double) s / steps, 2.0 / s, job.config().learningRate(), 100));
    }
    try {
      Files.createDirectories(job.outputDir());
      Files.writeString(
          job.outputDir().resolve("adapter_config.json"),
          "{\"peft_type\": \"LORA\", \"r\": " + job.config().loraRank()
              + ", \"base_model_name_or_path\": \"" + job.baseModel() + "\", \"init\": \""
              + job.initAdapter() + "\"}\n");
      StringBuilder weights = new StringBuilder("seed " + job.config().seed() + "\n");
      for (SftExample e : job.examples()) {
        weights.append(e.instruction().hashCode()).append(' ').append(e.output().hashCode()).append('\n');
      }
      Files.write(job.outputDir().resolve("adapter_model.safetensors"), weights.toString().getBytes(StandardCharsets.UTF_8));
      Files.createDirectories(job.checkpointDir());
      Files.writeString(job.checkpointDir().resolve("step-" + steps), "done\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new TrainingReport(job.outputDir(), steps, 2.0, 2.0 / Math.max(1, steps), 100, steps, false);
  }
}
