package selflengthen.activities.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.temporal.activity.ActivityExecutionContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import selflengthen.activities.DpoActivities;
import selflengthen.activities.Roles;
import selflengthen.activities.models.RoleModels;
import selflengthen.activities.support.ActivityErrors;
import selflengthen.activities.support.DataRoots;
import selflengthen.activities.support.Lineages;
import selflengthen.activities.support.RecordedResults;
import selflengthen.method.preference.PreferencePair;
import selflengthen.method.preference.PreferencePairs;
import selflengthen.method.preference.PreferenceWriters;
import selflengthen.model.api.DpoJob;
import selflengthen.model.api.DpoReport;
import selflengthen.model.api.PreferenceExample;
import selflengthen.model.api.TrainingProgress;
import selflengthen.model.api.TrainingReport;
import selflengthen.model.external.ExternalTrainer;
import selflengthen.model.external.ExternalTrainerConfig;
import selflengthen.model.train.DpoTrainer;
import selflengthen.store.DataStore;
import selflengthen.store.InputRef;
import selflengthen.store.ModelVersion;
import selflengthen.v1.AdapterRef;
import selflengthen.v1.DatasetRef;
import selflengthen.v1.DpoTask;
import selflengthen.v1.ModelRef;
import selflengthen.v1.RunSpec;
import selflengthen.v1.TrainingResult;

/**
 * DPO of the Generator: the in-process {@link DpoTrainer} on the Generator's device, or the spec's
 * external command with a LLaMA-Factory {@code stage: dpo} config. Checkpoints go to {@code
 * checkpoints/} next to the adapter, so a retry resumes; the implicit-reward margins go to {@code
 * dpo_report.json} next to it (the in-process trainer's only).
 */
public final class DpoActivitiesImpl implements DpoActivities {
  private static final Logger log = LoggerFactory.getLogger(DpoActivitiesImpl.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  public static final String REPORT = "dpo_report.json";

  private final DataRoots roots;
  private final Function<String, DpoTrainer> trainer;
  private final Function<String, ExternalTrainer> externalTrainer;

  /** @param trainer the in-process trainer for a device ("cpu", "cuda:0") */
  public DpoActivitiesImpl(DataRoots roots, Function<String, DpoTrainer> trainer,
      Function<String, ExternalTrainer> externalTrainer) {
    this.roots = roots;
    this.trainer = trainer;
    this.externalTrainer = externalTrainer;
  }

  public DpoActivitiesImpl(DataRoots roots) {
    this(roots, DpoTrainer::new, command -> new ExternalTrainer(ExternalTrainerConfig.of(command)));
  }

  @Override
  public TrainingResult trainDpo(DpoTask task) {
    RunSpec spec = task.getContext().getSpec();
    DataStore store = roots.store(spec);
    String out = task.getOutputDir();
    var done = RecordedResults.completed(store, out, TrainingResult.getDefaultInstance());
    if (done.isPresent()) {
      return done.get();
    }
    AdapterRef sft = task.getSftAdapter();
    if (sft.getFullModel()) {
      throw ActivityErrors.badInput("DPO trains a LoRA on top of the SFT adapter; "
          + sft.getPath() + " is a full checkpoint (training.method TRAIN_METHOD_FULL)");
    }
    List<PreferenceExample> pairs = pairs(store, task.getPairsList());
    if (pairs.isEmpty()) {
      log.info("{}: no preference pairs, the Generator keeps its SFT adapter", task.getContext().getCallId());
      return TrainingResult.newBuilder().setAdapter(sft).build();
    }
    ModelRef ref = RoleModels.ref(spec, Roles.GENERATOR);
    Path base = TrainActivitiesImpl.baseModel(spec, ref, Roles.GENERATOR);
    Path sftPath = sft.getPath().isEmpty() ? null : TrainActivitiesImpl.resolve(store, sft.getPath(), "sft_adapter");
    Path outputDir = TrainActivitiesImpl.resolve(store, out, "output_dir");
    Path checkpoints = outputDir.resolveSibling("checkpoints");
    try {
      Files.createDirectories(outputDir);
      Files.createDirectories(checkpoints);
    } catch (IOException e) {
      throw new IllegalStateException("cannot create " + outputDir + ": " + e.getMessage(), e);
    }
    var dpo = spec.getTraining().getDpo();
    DpoJob job = new DpoJob(base, sftPath, outputDir, checkpoints, pairs,
        TrainingConfigs.of(spec.getTraining(), task.getSeed()).withSchedule(dpo.getLearningRate(), dpo.getEpochs()),
        dpo.getBeta());
    ActivityExecutionContext ctx = TrainActivitiesImpl.context();
    String stage = task.getContext().getStage();
    log.info("{}: DPO on {} pairs from {} + {}", task.getContext().getCallId(), pairs.size(), base, sftPath);
    String external = spec.getTraining().getExternalCommand();
    TrainingReport report;
    if (external.isBlank()) {
      DpoReport dpoReport = trainer.apply(ref.getDevice())
          .train(job, progress -> TrainActivitiesImpl.heartbeat(ctx, stage, progress, null));
      report = dpoReport.training();
      writeReport(outputDir.resolveSibling(REPORT), dpoReport);
    } else {
      ExternalTrainer command;
      try {
        command = externalTrainer.apply(external);
      } catch (IllegalArgumentException e) {
        throw ActivityErrors.badInput("training.external_command: " + e.getMessage(), e);
      }
      AtomicReference<TrainingProgress> last = new AtomicReference<>();
      report = command.trainDpo(job, progress -> {
        last.set(progress);
        TrainActivitiesImpl.heartbeat(ctx, stage, progress, null);
      });
    }
    AdapterRef adapter = AdapterRef.newBuilder()
        .setPath(out)
        .setRole(Roles.GENERATOR)
        .setRound(task.getContext().getRound())
        .setSha256(TrainActivitiesImpl.adapterSha(store, out, false))
        .build();
    TrainingResult result = TrainingResult.newBuilder()
        .setAdapter(adapter)
        .setSteps(report.steps())
        .setFirstLoss(report.firstLoss())
        .setFinalLoss(report.finalLoss())
        .setTokensPerSecond(report.tokensPerSecond())
        .setExamples(pairs.size())
        .build();
    List<InputRef> inputs = new ArrayList<>();
    task.getPairsList().forEach(p -> inputs.add(InputRef.of(p)));
    if (!sft.getPath().isEmpty()) {
      inputs.add(new InputRef(sft.getPath(), sft.getSha256()));
    }
    RecordedResults.record(store, out, pairs.size(),
        Lineages.of(task.getContext(), null, inputs,
            List.of(new ModelVersion(base.toString(), sftPath == null ? "" : sftPath.toString()))),
        result);
    return result;
  }

  private static List<PreferenceExample> pairs(DataStore store, List<DatasetRef> files) {
    List<PreferencePair> all = new ArrayList<>();
    for (DatasetRef f : files) {
      Path file = TrainActivitiesImpl.resolve(store, f.getPath(), "pairs");
      if (!Files.isRegularFile(file)) {
        throw ActivityErrors.badInput("preference pairs " + f.getPath() + " not found in the data store " + store.root());
      }
      try {
        all.addAll(PreferenceWriters.readPairs(file));
      } catch (IOException e) {
        throw ActivityErrors.badInput("preference pairs " + f.getPath() + " do not read: " + e.getMessage(), e);
      }
    }
    return PreferencePairs.toExamples(all);
  }

  private static void writeReport(Path file, DpoReport r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("steps", r.training().steps());
    m.put("first_loss", r.training().firstLoss());
    m.put("final_loss", r.training().finalLoss());
    m.put("first_margin", r.firstMargin());
    m.put("last_margin", r.lastMargin());
    m.put("last_accuracy", r.lastAccuracy());
    try {
      Files.writeString(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(m));
    } catch (IOException e) {
      log.warn("cannot write {}: {}", file, e.getMessage());
    }
  }
}
