package selflengthen.activities.inference;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import selflengthen.activities.InferenceActivities;
import selflengthen.activities.models.ModelProvider;
import selflengthen.activities.models.RoleModels;
import selflengthen.activities.support.ActivityErrors;
import selflengthen.activities.support.DataRoots;
import selflengthen.activities.support.Datasets;
import selflengthen.activities.support.MethodSetup;
import selflengthen.method.ExtensionAcceptance;
import selflengthen.method.InstructionCandidates;
import selflengthen.method.NearDuplicates;
import selflengthen.model.api.SamplingParams;
import selflengthen.store.DataStore;
import selflengthen.store.InputRef;
import selflengthen.store.ModelVersion;
import selflengthen.v1.AdapterRef;
import selflengthen.v1.RunSpec;
import selflengthen.v1.Sampling;
import selflengthen.v1.SelfInstruct;
import selflengthen.v1.ShardRef;
import selflengthen.v1.ShardSummary;
import selflengthen.v1.ShardTask;

/**
 * The inference activities: each shard runs its units through {@link ShardRunner} (concurrent
 * generation, ordered commits, heartbeats, resume, stop on a straggler cut) with the work of its
 * stage.
 */
public final class InferenceActivitiesImpl implements InferenceActivities {
  /** The judge answers one word: a few greedy tokens are enough. */
  static final int JUDGE_TOKENS = 16;

  private final DataRoots roots;
  private final ModelProvider models;
  private final Duration poll;

  /**
   * @param poll how often a shard waiting on its units heartbeats and checks whether its stage
   *     ended (the SDK throttles what reaches the server)
   */
  public InferenceActivitiesImpl(DataRoots roots, ModelProvider models, Duration poll) {
    this.roots = roots;
    this.models = models;
    this.poll = poll;
  }

  public InferenceActivitiesImpl(DataRoots roots, ModelProvider models) {
    this(roots, models, Duration.ofSeconds(1));
  }

  @Override
  public ShardSummary selfInstructShard(ShardTask task) {
    RunSpec spec = task.getContext().getSpec();
    DataStore store = roots.store(spec);
    ShardRunner runner = new ShardRunner(store, task, poll);
    var done = runner.completed();
    if (done.isPresent()) {
      return done.get();
    }
    MethodSetup method = MethodSetup.of(spec);
    SelfInstruct si = spec.getSelfInstruct();
    List<String> pool = instructions(store, task.getShard().getInput(), 0, Long.MAX_VALUE);
    if (pool.isEmpty()) {
      throw ActivityErrors.badInput("the instruction pool " + task.getShard().getInput().getPath()
          + " is empty: self-instruct needs examples");
    }
    NearDuplicates nearDuplicates = NearDuplicates.of(si);
    nearDuplicates.addAll(pool);
    InstructionCandidates candidates = InstructionCandidates.of(method.profile(), si);
    // An instruction has fewer than max_words words: more than ~2 tokens a word can only be rejected.
    int tokens = (int) Math.min(si.getSampling().getMaxNewTokens(), 2L * si.getMaxWords() + 64);
    Generation generator = generation(runner, store, spec, task.getRole(), task.getAdapter(), si.getSampling(), tokens);
    Generation judge = null;
    List<ModelVersion> versions = new ArrayList<>(List.of(generator.version()));
    if (!si.hasJudge() || si.getJudge()) {
      judge = generation(runner, store, spec, "judge", null, si.getSampling(), JUDGE_TOKENS)
          .with(SamplingParams.greedy(), JUDGE_TOKENS);
      versions.add(judge.version());
    }
    SelfInstructWork work =
        new SelfInstructWork(
            new SelfInstructWork.Setup(
                pool,
                nearDuplicates,
                candidates,
                method.prompts(),
                generator,
                judge,
                si.getJudgeLongWords(),
                si.getFewShot(),
                si.getMaxTries(),
                UnitSeeds.of(task.getContext())));
    return runner.run(
        units(task.getShard(), 1), threads(spec), work, inputs(task), versions);
  }

  @Override
  public ShardSummary respondShard(ShardTask task) {
    RunSpec spec = task.getContext().getSpec();
    DataStore store = roots.store(spec);
    ShardRunner runner = new ShardRunner(store, task, poll);
    var done = runner.completed();
    if (done.isPresent()) {
      return done.get();
    }
    MethodSetup method = MethodSetup.of(spec);
    ShardRef shard = task.getShard();
    List<String> instructions = instructions(store, shard.getInput(), shard.getFirstRow(), shard.getRowCount());
    Generation generator =
        generation(runner, store, spec, task.getRole(), task.getAdapter(), spec.getSampling(), spec.getSampling().getMaxNewTokens());
    RespondWork work =
        new RespondWork(
            new RespondWork.Setup(
                instructions,
                shard.getFirstRow(),
                method.prompts(),
                method.check(),
                generator,
                spec.getInitialResponses().getMaxTries(),
                UnitSeeds.of(task.getContext())));
    int per = spec.getInitialResponses().getPerInstruction();
    return runner.run(
        units(shard, per), threads(spec), work, inputs(task), List.of(generator.version()));
  }

  @Override
  public ShardSummary extendShard(ShardTask task) {
    RunSpec spec = task.getContext().getSpec();
    DataStore store = roots.store(spec);
    ShardRunner runner = new ShardRunner(store, task, poll);
    var done = runner.completed();
    if (done.isPresent()) {
      return done.get();
    }
    MethodSetup method = MethodSetup.of(spec);
    ShardRef shard = task.getShard();
    String path = shard.getInput().getPath();
    List<JsonNode> rows = Datasets.slice(store, shard.getInput(), shard.getFirstRow(), shard.getRowCount());
    List<ExtendWork.Kept> kept = new ArrayList<>(rows.size());
    for (int i = 0; i < rows.size(); i++) {
      long index = shard.getFirstRow() + i;
      kept.add(
          new ExtendWork.Kept(
              Datasets.instruction(rows.get(i), path, index),
              Datasets.text(rows.get(i), "response", path, index)));
    }
    var ext = spec.getExtension();
    Generation extender =
        generation(runner, store, spec, task.getRole(), task.getAdapter(), spec.getSampling(), spec.getSampling().getMaxNewTokens());
    ExtendWork work =
        new ExtendWork(
            new ExtendWork.Setup(
                kept,
                shard.getFirstRow(),
                method.prompts(),
                ExtensionAcceptance.of(method.check(), method.profile(), ext),
                extender,
                ext.getMaxTries(),
                ext.getMicroIterations(),
                ext.getPrefixFraction(),
                UnitSeeds.of(task.getContext())));
    return runner.run(
        units(shard, ext.getAttempts()), threads(spec), work, inputs(task), List.of(extender.version()));
  }

  @Override
  public ShardSummary measureShard(ShardTask task) {
    RunSpec spec = task.getContext().getSpec();
    DataStore store = roots.store(spec);
    ShardRunner runner = new ShardRunner(store, task, poll);
    var done = runner.completed();
    if (done.isPresent()) {
      return done.get();
    }
    MethodSetup method = MethodSetup.of(spec);
    ShardRef shard = task.getShard();
    List<String> instructions = instructions(store, shard.getInput(), shard.getFirstRow(), shard.getRowCount());
    Sampling sampling = spec.getMeasurement().getSampling();
    Generation generator =
        generation(runner, store, spec, task.getRole(), task.getAdapter(), sampling, sampling.getMaxNewTokens());
    MeasureWork work =
        new MeasureWork(
            new MeasureWork.Setup(
                instructions, shard.getFirstRow(), method.prompts(), generator, UnitSeeds.of(task.getContext())));
    return runner.run(units(shard, 1), threads(spec), work, inputs(task), List.of(generator.version()));
  }

  /** A role's generation; the first call for a checkpoint loads it, heartbeating meanwhile. */
  private Generation generation(
      ShardRunner runner, DataStore store, RunSpec spec, String role, AdapterRef adapter, Sampling sampling,
      int maxNewTokens) {
    RoleModels.Resolved resolved = RoleModels.resolve(store, spec, role, adapter);
    int batch = spec.getModels().getMaxBatchSize();
    return new Generation(
        runner.heartbeating(() -> models.model(resolved.ref(), batch)), resolved, sampling, maxNewTokens);
  }

  private static List<String> instructions(DataStore store, selflengthen.v1.DatasetRef ref, long first, long count) {
    List<JsonNode> rows = Datasets.slice(store, ref, first, count);
    List<String> out = new ArrayList<>(rows.size());
    for (int i = 0; i < rows.size(); i++) {
      out.add(Datasets.instruction(rows.get(i), ref.getPath(), first + i));
    }
    return out;
  }

  /** Every unit of a shard: each of its rows times {@code perRow}, in commit order. */
  static List<Unit> units(ShardRef shard, int perRow) {
    List<Unit> units = new ArrayList<>((int) shard.getRowCount() * perRow);
    for (long r = shard.getFirstRow(); r < shard.getFirstRow() + shard.getRowCount(); r++) {
      for (int j = 0; j < perRow; j++) {
        units.add(new Unit(r, j));
      }
    }
    return units;
  }

  /** Units in flight per shard: as many as the engine batches, so one shard can fill a batch. */
  static int threads(RunSpec spec) {
    return Math.max(1, spec.getModels().getMaxBatchSize());
  }

  private static List<InputRef> inputs(ShardTask task) {
    return List.of(InputRef.of(task.getShard().getInput()));
  }
}
