package selflengthen.model.external;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import selflengthen.model.api.TrainingJob;
import selflengthen.model.api.TrainingListener;
import selflengthen.model.api.TrainingReport;
import selflengthen.model.api.DpoJob;
import selflengthen.model.api.DpoReport;
import selflengthen.model.train.DpoTrainer;
import selflengthen.model.train.SftTrainer;

/**
 * This project's trainer behind LLaMA-Factory's interface: {@code train <config.yaml>} trains what
 * the YAML describes and behaves as the transformers Trainer does where {@link ExternalTrainer}
 * looks: one {@code {'loss': ..., 'learning_rate': ..., 'epoch': ...}} line per step on standard
 * output, {@code checkpoint-N/} directories (each with trainer_state.json) in output_dir, {@code
 * resume_from_checkpoint} honoured, and the adapter (or full model) plus a trainer_state.json with
 * the first and last loss in output_dir at the end. So it can be the external command of a run
 * ({@code training.external_command}) on machines without Python.
 */
public final class LlamaFactoryTraining {
  private static final ObjectMapper JSON = new ObjectMapper();

  private LlamaFactoryTraining() {}

  /** Trains the job of {@code config} on {@code device}, logging progress lines to {@code out}. */
  public static TrainingReport run(Path config, String device, PrintStream out) throws IOException {
    if (LlamaFactoryDpoJob.stage(config).equals("dpo")) {
      return runDpo(config, device, out);
    }
    LlamaFactoryJob read = LlamaFactoryJob.read(config);
    TrainingJob job = read.job();
    Files.createDirectories(job.outputDir());
    // Without resume_from_checkpoint a run starts afresh, as LLaMA-Factory's does.
    SftTrainer.resumeFrom(job.checkpointDir(), read.resumeFrom());
    out.printf("selflengthen trainer: %d examples, base %s%s%s%n", job.examples().size(),
        job.baseModel(), job.initAdapter() == null ? "" : ", adapter " + job.initAdapter(),
        read.resumeFrom() == null ? "" : ", resuming from " + read.resumeFrom());
    out.flush();
    TrainingListener progress = progressLines(out);
    TrainingReport report = new SftTrainer(device).train(job, progress);
    writeState(job.outputDir(), report);
    // The finished output_dir holds the model and its state, as a transformers run leaves it.
    SftTrainer.resumeFrom(job.checkpointDir(), null);
    out.printf(Locale.ROOT, "{'train_loss': %.6f, 'train_steps': %d}%n", report.finalLoss(),
        report.steps());
    out.flush();
    return report;
  }

  /** A {@code stage: dpo} config, trained by the in-process DPO trainer with the same output. */
  private static TrainingReport runDpo(Path config, String device, PrintStream out)
      throws IOException {
    LlamaFactoryDpoJob read = LlamaFactoryDpoJob.read(config);
    DpoJob job = read.job();
    Files.createDirectories(job.outputDir());
    SftTrainer.resumeFrom(job.checkpointDir(), read.resumeFrom());
    out.printf(Locale.ROOT, "selflengthen DPO trainer: %d pairs, base %s%s, beta %s%s%n",
        job.pairs().size(), job.baseModel(),
        job.sftAdapter() == null ? "" : ", SFT adapter " + job.sftAdapter(), job.beta(),
        read.resumeFrom() == null ? "" : ", resuming from " + read.resumeFrom());
    out.flush();
    DpoReport dpo = new DpoTrainer(device).train(job, progressLines(out));
    TrainingReport report = dpo.training();
    writeState(job.outputDir(), report);
    SftTrainer.resumeFrom(job.checkpointDir(), null);
    out.printf(Locale.ROOT, "{'train_loss': %.6f, 'train_steps': %d, 'rewards/margins': %.6f,"
        + " 'rewards/accuracies': %.4f}%n", report.finalLoss(), report.steps(), dpo.lastMargin(),
        dpo.lastAccuracy());
    out.flush();
    return report;
  }

  /** One transformers-style logging dict a step, the lines ExternalTrainer parses. */
  private static TrainingListener progressLines(PrintStream out) {
    return new TrainingListener() {
      private boolean first = true;

      @Override
      public void onStep(selflengthen.model.api.TrainingProgress p) {
        if (first) {
          out.printf("  Total optimization steps = %d%n", p.totalSteps());
          first = false;
        }
        out.printf(Locale.ROOT, "{'loss': %.6f, 'learning_rate': %.6e, 'epoch': %.4f, 'step': %d}%n",
            p.loss(), p.learningRate(), p.epoch(), p.step());
        out.flush();
      }
    };
  }

  /** trainer_state.json as transformers writes it, reduced to what readers use. */
  private static void writeState(Path dir, TrainingReport report) throws IOException {
    ObjectNode state = JSON.createObjectNode();
    state.put("global_step", report.steps());
    var history = state.putArray("log_history");
    history.addObject().put("loss", report.firstLoss()).put("step", 1);
    if (report.steps() > 1) {
      history.addObject().put("loss", report.finalLoss()).put("step", report.steps());
    }
    JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("trainer_state.json").toFile(), state);
  }

  /**
   * {@code [train] [--config] FILE [--device cpu|cuda:N]}: exit code 0 when trained, 1 when
   * training failed, 2 on a usage error.
   */
  public static void main(String[] args) {
    System.setProperty("ai.djl.offline", "true");
    if (System.getProperty("OPT_OUT_TRACKING") == null) {
      System.setProperty("OPT_OUT_TRACKING", "true");
    }
    Path config = null;
    String device = "cpu";
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "train", "--config" -> { }
        case "--device" -> device = i + 1 < args.length ? args[++i] : device;
        default -> config = Path.of(args[i]);
      }
    }
    if (config == null) {
      System.err.println("usage: train [--config] CONFIG.yaml [--device cpu|cuda:N]");
      System.exit(2);
    }
    try {
      run(config, device, System.out);
      System.exit(0);
    } catch (IOException | RuntimeException e) {
      System.err.println("training failed: " + e);
      e.printStackTrace(System.err);
      System.exit(1);
    }
  }
}
