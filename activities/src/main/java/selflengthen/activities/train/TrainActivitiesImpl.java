package selflengthen.activities.train;

import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import selflengthen.activities.TrainActivities;
import selflengthen.activities.models.RoleModels;
import selflengthen.activities.support.ActivityErrors;
import selflengthen.activities.support.DataRoots;
import selflengthen.activities.support.Lineages;
import selflengthen.activities.support.RecordedResults;
import selflengthen.method.SftRows;
import selflengthen.model.api.SftExample;
import selflengthen.model.external.ExternalTrainer;
import selflengthen.model.external.ExternalTrainerConfig;
import selflengthen.model.api.Trainer;
import selflengthen.model.api.TrainingJob;
import selflengthen.model.api.TrainingProgress;
import selflengthen.model.api.TrainingReport;
import selflengthen.store.DataStore;
import selflengthen.store.InputRef;
import selflengthen.store.ModelVersion;
import selflengthen.store.UnsafePathException;
import selflengthen.v1.AdapterRef;
import selflengthen.v1.ModelRef;
import selflengthen.v1.RunSpec;
import selflengthen.v1.TrainTask;
import selflengthen.v1.TrainingResult;

/**
 * LoRA (or full) SFT of one role: reads the role's LLaMA-Factory set, continues from the role's
 * previous adapter (or its starting adapter), writes the adapter to {@code output_dir} with
 * resumable checkpoints in {@code checkpoints/} next to it, heartbeats each optimizer step (step,
 * loss), and records the adapter in the manifest. A recorded adapter returns at once.
 */
public final class TrainActivitiesImpl implements TrainActivities {
  private static final Logger log = LoggerFactory.getLogger(TrainActivitiesImpl.class);
  /** The PEFT weights file whose checksum identifies an adapter (AdapterRef.sha256). */
  public static final String ADAPTER_WEIGHTS = "adapter_model.safetensors";

  private final DataRoots roots;
  private final Supplier<Trainer> trainer;
  private final Function<String, ExternalTrainer> externalTrainer;

  /**
   * @param trainer the engine's trainer, asked for at the first call that has to train in process
   */
  public TrainActivitiesImpl(DataRoots roots, Supplier<Trainer> trainer) {
    this(roots, trainer, command -> new ExternalTrainer(ExternalTrainerConfig.of(command)));
  }

  /** @param externalTrainer makes the trainer of a spec's training.external_command */
  public TrainActivitiesImpl(
      DataRoots roots, Supplier<Trainer> trainer, Function<String, ExternalTrainer> externalTrainer) {
    this.roots = roots;
    this.trainer = trainer;
    this.externalTrainer = externalTrainer;
  }

  /**
   * Heartbeat details: the trainer's last step, and an external trainer's latest output line (null
   * for the in-process trainer); {@code stage} tells the round's two trainings apart for a watcher.
   */
  public record Progress(long step, long totalSteps, double loss, double tokensPerSecond, String output,
      String stage) {}

  @Override
  public TrainingResult train(TrainTask task) {
    RunSpec spec = task.getContext().getSpec();
    DataStore store = roots.store(spec);
    String out = task.getOutputDir();
    var done = RecordedResults.completed(store, out, TrainingResult.getDefaultInstance());
    if (done.isPresent()) {
      return done.get();
    }
    ModelRef ref = RoleModels.ref(spec, task.getRole());
    Path base = baseModel(spec, ref, task.getRole());
    Path init = null;
    AdapterRef previous = task.getPrevious();
    if (!previous.getPath().isEmpty()) {
      Path p = resolve(store, previous.getPath(), "previous adapter");
      if (previous.getFullModel()) {
        base = p;
      } else {
        init = p;
      }
    } else {
      String start = RoleModels.startingAdapter(store, ref, "models." + task.getRole() + ".adapter");
      init = start == null ? null : Path.of(start);
    }
    List<SftExample> examples = examples(store, task);
    Path outputDir = resolve(store, out, "output_dir");
    Path checkpoints = outputDir.resolveSibling("checkpoints");
    try {
      Files.createDirectories(outputDir);
      Files.createDirectories(checkpoints);
    } catch (IOException e) {
      throw new IllegalStateException("cannot create " + outputDir + ": " + e.getMessage(), e);
    }
    boolean full = spec.getTraining().getMethod() == selflengthen.v1.TrainMethod.TRAIN_METHOD_FULL;
    TrainingJob job =
        new TrainingJob(base, init, outputDir, checkpoints, examples, TrainingConfigs.of(spec.getTraining(), task.getSeed()));
    ActivityExecutionContext ctx = context();
    String stage = task.getContext().getStage();
    log.info("{}: training {} on {} examples from {}{}", task.getContext().getCallId(), task.getRole(),
        examples.size(), base, init == null ? "" : " + " + init);
    String external = spec.getTraining().getExternalCommand();
    TrainingReport report;
    if (external.isBlank()) {
      report = trainer.get().train(job, progress -> heartbeat(ctx, stage, progress, null));
    } else {
      report = trainExternally(external, job, ctx, stage);
    }

    String sha = adapterSha(store, out, full);
    AdapterRef adapter =
        AdapterRef.newBuilder()
            .setPath(out)
            .setRole(task.getRole())
            .setRound(task.getContext().getRound())
            .setSha256(sha)
            .setFullModel(full)
            .build();
    TrainingResult result =
        TrainingResult.newBuilder()
            .setAdapter(adapter)
            .setSteps(report.steps())
            .setFirstLoss(report.firstLoss())
            .setFinalLoss(report.finalLoss())
            .setTokensPerSecond(report.tokensPerSecond())
            .setExamples(report.examples() > 0 ? report.examples() : examples.size())
            .build();
    List<InputRef> inputs = new ArrayList<>(List.of(InputRef.of(task.getTrainingSet())));
    if (!previous.getPath().isEmpty()) {
      inputs.add(new InputRef(previous.getPath(), previous.getSha256()));
    }
    RecordedResults.record(
        store,
        out,
        examples.size(),
        Lineages.of(
            task.getContext(),
            null,
            inputs,
            List.of(new ModelVersion(base.toString(), init == null ? "" : init.toString()))),
        result);
    return result;
  }

  /**
   * The checkpoint to train on: the role's {@code path}; an endpoint role without one trains the
   * run's base model (the checkpoint its endpoint serves, seen by the trainer at that path).
   */
  static Path baseModel(RunSpec spec, ModelRef ref, String role) {
    if (!ref.getPath().isBlank()) {
      return Path.of(ref.getPath());
    }
    String base = spec.getModels().getBaseModel();
    if (base.isBlank()) {
      throw ActivityErrors.badInput("models." + role + ": training needs the checkpoint the endpoint "
          + ref.getEndpoint() + " serves; set models." + role + ".path or models.base_model");
    }
    return Path.of(base);
  }

  /**
   * The external command (LLaMA-Factory style): its files go next to the adapter under the round's
   * train directory (checkpoints/job: YAML, data set, dataset_info.json, log; checkpoints/output:
   * the trainer's output_dir), every line it prints keeps the activity alive and its parsed steps
   * are the heartbeats' progress; a retry finds its checkpoint-N and resumes from it.
   */
  private TrainingReport trainExternally(String command, TrainingJob job, ActivityExecutionContext ctx,
      String stage) {
    ExternalTrainer external;
    try {
      external = externalTrainer.apply(command);
    } catch (IllegalArgumentException e) {
      throw ActivityErrors.badInput("training.external_command: " + e.getMessage(), e);
    }
    AtomicReference<TrainingProgress> last = new AtomicReference<>();
    // A failed or killed command fails this attempt (ExternalTrainingException, retryable): the
    // next attempt resumes from the last checkpoint-N the command completed.
    return external.train(
        job,
        progress -> {
          last.set(progress);
          heartbeat(ctx, stage, progress, null);
        },
        line -> heartbeat(ctx, stage, last.get(), line));
  }

  private static List<SftExample> examples(DataStore store, TrainTask task) {
    String path = task.getTrainingSet().getPath();
    Path file = resolve(store, path, "training_set");
    if (!Files.isRegularFile(file)) {
      throw ActivityErrors.badInput("training set " + path + " not found in the data store " + store.root());
    }
    List<SftExample> examples;
    try {
      examples = SftRows.readLlamaFactoryJson(file);
    } catch (IOException e) {
      throw ActivityErrors.badInput("training set " + path + " does not read as LLaMA-Factory JSON: "
          + e.getMessage(), e);
    }
    if (examples.isEmpty()) {
      throw ActivityErrors.badInput("training set " + path + " holds no examples");
    }
    return examples;
  }

  /** AdapterRef.sha256: of adapter_model.safetensors; a full checkpoint: of its directory. */
  static String adapterSha(DataStore store, String out, boolean full) {
    if (full) {
      return store.sha256(out);
    }
    String weights = out + "/" + ADAPTER_WEIGHTS;
    if (!store.exists(weights)) {
      throw new IllegalStateException("the trainer finished without writing " + weights);
    }
    return store.sha256(weights);
  }

  static Path resolve(DataStore store, String relative, String what) {
    try {
      return store.resolve(relative);
    } catch (UnsafePathException e) {
      throw ActivityErrors.badInput(what + ": " + e.getMessage(), e);
    }
  }

  static ActivityExecutionContext context() {
    try {
      return Activity.getExecutionContext();
    } catch (IllegalStateException e) {
      return null;
    }
  }

  /**
   * Throws ActivityCompletionException out of the trainer when the activity must stop. {@code p}
   * may be null (no step yet); {@code line} is an external trainer's latest output.
   */
  static void heartbeat(ActivityExecutionContext ctx, String stage, TrainingProgress p, String line) {
    if (ctx != null) {
      ctx.heartbeat(p == null
          ? new Progress(0, 0, 0, 0, abbreviate(line), stage)
          : new Progress(p.step(), p.totalSteps(), p.loss(), p.tokensPerSecond(), abbreviate(line), stage));
    }
  }

  private static String abbreviate(String line) {
    if (line == null) {
      return null;
    }
    String s = line.strip();
    return s.length() > 300 ? s.substring(0, 300) + "..." : s;
  }
}
