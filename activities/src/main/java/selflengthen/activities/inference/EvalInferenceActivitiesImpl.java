package selflengthen.activities.inference;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import selflengthen.activities.EvalInferenceActivities;
import selflengthen.activities.models.ModelProvider;
import selflengthen.activities.models.RoleModels;
import selflengthen.activities.support.DataRoots;
import selflengthen.activities.support.Datasets;
import selflengthen.eval.Benchmark;
import selflengthen.eval.QualityJudge;
import selflengthen.model.api.LanguageModel;
import selflengthen.store.DataStore;
import selflengthen.store.ModelVersion;
import selflengthen.v1.Evaluation;
import selflengthen.v1.RunSpec;
import selflengthen.v1.ShardRef;
import selflengthen.v1.ShardSummary;
import selflengthen.v1.ShardTask;

/** evalShard through the shared {@link ShardRunner}: commits, heartbeats, resume, straggler stop. */
public final class EvalInferenceActivitiesImpl implements EvalInferenceActivities {
  private final DataRoots roots;
  private final ModelProvider models;
  private final Duration poll;

  public EvalInferenceActivitiesImpl(DataRoots roots, ModelProvider models, Duration poll) {
    this.roots = roots;
    this.models = models;
    this.poll = poll;
  }

  public EvalInferenceActivitiesImpl(DataRoots roots, ModelProvider models) {
    this(roots, models, Duration.ofSeconds(1));
  }

  @Override
  public ShardSummary evalShard(ShardTask task) {
    return Shard.run(roots, poll, task, this::eval);
  }

  private ShardSummary eval(Shard shard) {
    RunSpec spec = shard.spec();
    DataStore store = shard.store();
    ShardRunner runner = shard.runner();
    Evaluation evaluation = spec.getEvaluation();
    Benchmark benchmark;
    try {
      benchmark = Benchmark.fromCliName(evaluation.getFormat());
    } catch (IllegalArgumentException e) {
      throw selflengthen.activities.support.ActivityErrors.badInput("evaluation.format: " + e.getMessage());
    }
    ShardRef ref = shard.ref();
    List<JsonNode> rows = Datasets.slice(store, ref.getInput(), ref.getFirstRow(), ref.getRowCount());
    int batch = spec.getModels().getMaxBatchSize();
    Generation generator =
        shard.generation(models, evaluation.getSampling(), evaluation.getSampling().getMaxNewTokens());
    List<ModelVersion> versions = new ArrayList<>(List.of(generator.version()));
    EvalWork.QualityJudgeFactory judge = null;
    if (evaluation.getJudge()) {
      RoleModels.Resolved judgeRole = RoleModels.resolve(store, spec, "judge", null);
      LanguageModel judgeModel = runner.heartbeating(() -> models.model(judgeRole.ref(), batch));
      QualityJudge.Settings defaults = QualityJudge.Settings.defaults();
      judge = seed -> new QualityJudge(
          judgeModel,
          benchmark.scorer().judgeRubric(),
          new QualityJudge.Settings(
              (int) Math.max(1, Integer.toUnsignedLong(evaluation.getJudgeAttempts())),
              defaults.sampling().withSeed(seed),
              (int) Math.max(1, Integer.toUnsignedLong(evaluation.getJudgeMaxNewTokens())),
              judgeRole.adapter()));
      versions.add(judgeRole.version());
    }
    EvalWork work =
        new EvalWork(
            new EvalWork.Setup(
                rows,
                ref.getFirstRow(),
                ref.getInput().getPath(),
                benchmark.scorer(),
                generator,
                judge,
                UnitSeeds.of(shard.task().getContext())));
    return runner.run(shard.units(1), shard.threads(), work, shard.inputs(), versions);
  }
}
