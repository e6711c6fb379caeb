package selflengthen.model.external;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import selflengthen.model.api.DpoJob;
import selflengthen.model.api.Trainer;
import selflengthen.model.api.TrainingJob;
import selflengthen.model.api.TrainingListener;
import selflengthen.model.api.TrainingProgress;
import selflengthen.model.api.TrainingReport;

/**
 * Supervised fine-tuning by an external command, LLaMA-Factory style: writes the job's data set and
 * YAML under the job's checkpoint directory, runs the command, turns its console output into {@link
 * TrainingListener} calls, and publishes the model the trainer saved into the job's output
 * directory. A retry of the same job resumes from the trainer's newest complete checkpoint-N.
 *
 * <p>The child is killed (its whole process tree, SIGTERM then SIGKILL) when the calling thread is
 * interrupted or the listener throws (a cancelled activity's heartbeat), so a cancelled job never
 * leaves a GPU busy.
 */
public final class ExternalTrainer implements Trainer {
  private static final Logger LOG = LoggerFactory.getLogger(ExternalTrainer.class);
  private static final long POLL_MILLIS = 200;
  private static final long OUTPUT_AFTER_EXIT_NANOS = TimeUnit.SECONDS.toNanos(10);

  private final ExternalTrainerConfig settings;

  public ExternalTrainer(ExternalTrainerConfig settings) {
    this.settings = settings;
  }

  @Override
  public TrainingReport train(TrainingJob job, TrainingListener listener) {
    return train(job, listener, line -> {});
  }

  /**
   * As {@link #train(TrainingJob, TrainingListener)}, also handing every line the command prints
   * to {@code output} (on the calling thread): long silent phases of a trainer, such as loading a
   * 7B model or tokenizing the data set, still show signs of life. An exception from {@code
   * output} kills the command, as one from the listener does.
   */
  public TrainingReport train(
      TrainingJob job, TrainingListener listener, Consumer<String> output) {
    validate(job);
    return run(
        TrainerLayout.of(job),
        (layout, resume) -> LlamaFactoryFiles.write(job, settings, layout, resume),
        job.outputDir(),
        job.examples().size(),
        job.config().fullFineTune(),
        listener,
        output);
  }

  /**
   * A DPO job through the same command: a LLaMA-Factory {@code stage: dpo} config and preference
   * set ({@link LlamaFactoryDpoFiles}), the same progress, resume and publishing as SFT. The
   * report's losses are the DPO losses the command logged.
   */
  public TrainingReport trainDpo(DpoJob job, TrainingListener listener) {
    if (job.baseModel() == null || job.outputDir() == null || job.pairs() == null
        || job.pairs().isEmpty()) {
      throw new IllegalArgumentException(
          "a DPO job needs a base model, an output directory and at least one pair");
    }
    if (job.config().fullFineTune()) {
      throw new IllegalArgumentException("DPO trains a LoRA adapter; full fine-tuning is not"
          + " supported");
    }
    TrainingJob files = new TrainingJob(job.baseModel(), job.sftAdapter(), job.outputDir(),
        job.checkpointDir(), List.of(), job.config());
    return run(
        TrainerLayout.of(files),
        (layout, resume) -> LlamaFactoryDpoFiles.write(job, settings, layout, resume),
        job.outputDir(),
        job.pairs().size(),
        false,
        listener,
        line -> {});
  }

  /** Writes a job's files into its layout, given the checkpoint to resume from (or null). */
  private interface JobFiles {
    void write(TrainerLayout layout, java.nio.file.Path resumeFrom) throws IOException;
  }

  private TrainingReport run(
      TrainerLayout layout,
      JobFiles files,
      java.nio.file.Path outputDir,
      int examples,
      boolean fullModel,
      TrainingListener listener,
      Consumer<String> output) {
    Optional<TrainerOutputs.Checkpoint> resume;
    List<String> command;
    try {
      resume = TrainerOutputs.lastCompleteCheckpoint(layout.trainerOutput());
      files.write(layout, resume.map(TrainerOutputs.Checkpoint::dir).orElse(null));
      command =
          CommandTemplate.expand(
              settings.command(),
              Map.of(
                  "config", layout.configFile().toString(),
                  "output_dir", layout.trainerOutput().toString(),
                  "dataset_dir", layout.datasetDir().toString()));
    } catch (IOException e) {
      throw new ExternalTrainingException(
          "cannot write the training files under " + layout.root() + ": " + e.getMessage(), e);
    }
    long startStep = resume.map(TrainerOutputs.Checkpoint::step).orElse(0L);
    LOG.info(
        "external training: {} ({} examples){}",
        command,
        examples,
        resume.map(c -> ", resuming from " + c.dir()).orElse(""));
    Run run = runCommand(command, layout, startStep, listener, output);
    try {
      TrainerOutputs.requireModel(layout.trainerOutput(), fullModel);
      TrainerOutputs.publish(layout.trainerOutput(), outputDir);
    } catch (IOException e) {
      throw new ExternalTrainingException(
          "cannot publish the trained model from "
              + layout.trainerOutput()
              + " to "
              + outputDir
              + ": "
              + e.getMessage(),
          e);
    }
    Optional<TrainerOutputs.State> state = TrainerOutputs.readState(layout.trainerOutput());
    long steps =
        state.map(TrainerOutputs.State::globalStep).filter(s -> s > 0).orElse(run.lastStep());
    return new TrainingReport(
        outputDir,
        steps,
        state.map(TrainerOutputs.State::firstLoss).orElse(run.firstLoss()),
        state.map(TrainerOutputs.State::lastLoss).orElse(run.finalLoss()),
        run.tokensPerSecond(),
        examples,
        resume.isPresent());
  }

  private record Run(long lastStep, double firstLoss, double finalLoss, double tokensPerSecond) {}

  private Run runCommand(
      List<String> command,
      TrainerLayout layout,
      long startStep,
      TrainingListener listener,
      Consumer<String> lines) {
    ProcessBuilder builder =
        new ProcessBuilder(command).directory(layout.jobDir().toFile()).redirectErrorStream(true);
    builder.environment().putAll(settings.environment());
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new ExternalTrainingException(
          "cannot start the external trainer " + command + ": " + e.getMessage(), e);
    }
    TrainerLogParser parser = new TrainerLogParser(startStep, 1);
    List<TrainingProgress> seen = new ArrayList<>();
    ProcessOutput output = null;
    try {
      output =
          new ProcessOutput(
              process.getInputStream(),
              layout.logFile(),
              settings.logTailLines(),
              "trainer-output-" + process.pid());
      output.note("=== " + Instant.now() + " started " + command + " (pid " + process.pid() + ")");
      long exitedAt = 0;
      for (String line = output.poll(POLL_MILLIS);
          !ProcessOutput.isEnd(line);
          line = output.poll(POLL_MILLIS)) {
        if (line == null && !process.isAlive()) {
          exitedAt = exitedAt == 0 ? System.nanoTime() : exitedAt;
          if (System.nanoTime() - exitedAt > OUTPUT_AFTER_EXIT_NANOS) {
            break; // a left-over grandchild holds the pipe open; the trainer itself is done
          }
        }
        if (line != null) {
          lines.accept(line);
        }
        Optional<TrainingProgress> progress =
            line == null ? Optional.empty() : parser.accept(line, System.nanoTime());
        if (progress.isPresent()) {
          seen.add(progress.get());
          listener.onStep(progress.get());
        }
      }
      int exit = process.waitFor();
      if (exit != 0) {
        close(output);
        throw new ExternalTrainingException(
            "the external trainer "
                + command
                + " exited with code "
                + exit
                + "; last lines of "
                + layout.logFile()
                + ":\n"
                + String.join("\n", output.tail()));
      }
    } catch (InterruptedException e) {
      kill(process);
      Thread.currentThread().interrupt();
      throw new ExternalTrainingException(
          "external training cancelled; killed " + command + " (pid " + process.pid() + ")", e);
    } catch (IOException e) {
      kill(process);
      throw new ExternalTrainingException(
          "cannot write the trainer log " + layout.logFile() + ": " + e.getMessage(), e);
    } catch (RuntimeException | Error e) {
      kill(process); // the listener gave up (a cancelled activity): the GPU must be freed
      throw e;
    } finally {
      if (process.isAlive()) {
        kill(process);
      }
      close(output);
    }
    if (seen.isEmpty()) {
      return new Run(startStep, Double.NaN, Double.NaN, 0);
    }
    TrainingProgress last = seen.get(seen.size() - 1);
    return new Run(last.step(), seen.get(0).loss(), last.loss(), last.tokensPerSecond());
  }

  /** Waits for the output thread to finish, keeping the caller's interrupt status. */
  private static void close(ProcessOutput output) {
    if (output == null) {
      return;
    }
    boolean interrupted = Thread.interrupted();
    try {
      output.close();
    } catch (InterruptedException e) {
      interrupted = true;
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** SIGTERM to the child and its descendants, SIGKILL to whatever outlives the grace period. */
  private void kill(Process process) {
    List<ProcessHandle> descendants = process.descendants().toList();
    process.destroy();
    descendants.forEach(ProcessHandle::destroy);
    boolean interrupted = Thread.interrupted();
    try {
      if (!process.waitFor(settings.killGrace().toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.warn(
            "external trainer pid {} ignored SIGTERM for {}; killing it",
            process.pid(),
            settings.killGrace());
      }
    } catch (InterruptedException again) {
      interrupted = true;
    } finally {
      process.destroyForcibly();
      descendants.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static void validate(TrainingJob job) {
    if (job.baseModel() == null || job.outputDir() == null) {
      throw new IllegalArgumentException(
          "a training job needs a base model and an output directory");
    }
    if (job.examples() == null || job.examples().isEmpty()) {
      throw new IllegalArgumentException("a training job needs at least one example");
    }
    if (job.config().fullFineTune() && job.initAdapter() != null) {
      throw new IllegalArgumentException(
          "full fine-tuning cannot continue from adapter "
              + job.initAdapter()
              + "; merge it into the base first");
    }
  }
}
