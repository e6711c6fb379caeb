package selflengthen.activities.train;

import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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

  /** @param trainer the engine's trainer, asked for at the first call that has to train */
  public TrainActivitiesImpl(DataRoots roots, Supplier<Trainer> trainer) {
    this.roots = roots;
    this.trainer = trainer;
  }

  /** Heartbeat details: the trainer's last step. */
  public record Progress(long step, long totalSteps, double loss, double tokensPerSecond) {}

  @Override
  public TrainingResult train(TrainTask task) {
    RunSpec spec = task.getContext().getSpec();
    DataStore store = roots.store(spec);
    String out = task.getOutputDir();
    var done = RecordedResults.completed(store, out, TrainingResult.getDefaultInstance());
    if (done.isPresent()) {
      return done.get();
    }
    if (!spec.getTraining().getExternalCommand().isBlank()) {
      throw ActivityErrors.badInput("training.external_command: this worker trains in process only;"
          + " leave external_command empty (got '" + spec.getTraining().getExternalCommand() + "')");
    }
    ModelRef ref = RoleModels.ref(spec, task.getRole());
    if (!ref.getEndpoint().isEmpty() && task.getPrevious().getPath().isEmpty()) {
      throw ActivityErrors.badInput("models." + task.getRole() + ": training needs a checkpoint path,"
          + " the role is served by the endpoint " + ref.getEndpoint());
    }
    Path base = Path.of(ref.getPath());
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
    log.info("{}: training {} on {} examples from {}{}", task.getContext().getCallId(), task.getRole(),
        examples.size(), base, init == null ? "" : " + " + init);
    TrainingReport report = trainer.get().train(job, progress -> heartbeat(ctx, progress));

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
  private static String adapterSha(DataStore store, String out, boolean full) {
    if (full) {
      return store.sha256(out);
    }
    String weights = out + "/" + ADAPTER_WEIGHTS;
    if (!store.exists(weights)) {
      throw new IllegalStateException("the trainer finished without writing " + weights);
    }
    return store.sha256(weights);
  }

  private static Path resolve(DataStore store, String relative, String what) {
    try {
      return store.resolve(relative);
    } catch (UnsafePathException e) {
      throw ActivityErrors.badInput(what + ": " + e.getMessage(), e);
    }
  }

  private static ActivityExecutionContext context() {
    try {
      return Activity.getExecutionContext();
    } catch (IllegalStateException e) {
      return null;
    }
  }

  /** Throws ActivityCompletionException out of the trainer when the activity must stop. */
  private static void heartbeat(ActivityExecutionContext ctx, TrainingProgress p) {
    if (ctx != null) {
      ctx.heartbeat(new Progress(p.step(), p.totalSteps(), p.loss(), p.tokensPerSecond()));
    }
  }
}
