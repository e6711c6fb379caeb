package selflengthen.activities.inference;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import selflengthen.activities.InferenceActivities;
import selflengthen.activities.Roles;
import selflengthen.activities.models.ModelProvider;
import selflengthen.activities.support.ActivityErrors;
import selflengthen.activities.support.DataRoots;
import selflengthen.activities.support.Datasets;
import selflengthen.activities.support.MethodSetup;
import selflengthen.method.ExtensionAcceptance;
import selflengthen.method.InstructionCandidates;
import selflengthen.method.NearDuplicates;
import selflengthen.model.api.SamplingParams;
import selflengthen.store.DataStore;
import selflengthen.store.ModelVersion;
import selflengthen.method.preference.PreferenceSpecs;
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
  /**
   * The judge's answer counts only when it is exactly one word, so 16 new tokens decide the same as
   * the reference's 16384 (a longer answer is a rejection either way) at a fraction of the cost.
   */
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
    return Shard.run(roots, poll, task, this::selfInstruct);
  }

  @Override
  public ShardSummary respondShard(ShardTask task) {
    return Shard.run(roots, poll, task, this::respond);
  }

  @Override
  public ShardSummary extendShard(ShardTask task) {
    return Shard.run(roots, poll, task, this::extend);
  }

  @Override
  public ShardSummary measureShard(ShardTask task) {
    return Shard.run(roots, poll, task, this::measure);
  }

  @Override
  public ShardSummary lengthRewriteShard(ShardTask task) {
    return Shard.run(roots, poll, task, this::lengthRewrite);
  }

  /** The rewrite answers one query: a budget well above any query's length. */
  static final int REWRITE_TOKENS = 1024;

  private ShardSummary lengthRewrite(Shard shard) {
    RunSpec spec = shard.spec();
    MethodSetup method = MethodSetup.of(spec);
    ShardRef ref = shard.ref();
    List<JsonNode> plan = Datasets.slice(shard.store(), ref.getInput(), ref.getFirstRow(), ref.getRowCount());
    Generation model = shard.generation(models, "length_control", null, spec.getSampling(),
        (int) Math.min(spec.getSampling().getMaxNewTokens(), REWRITE_TOKENS));
    int tries = Math.max(1, spec.getLengthControl().getRewriteTries());
    RewriteWork work =
        new RewriteWork(
            new RewriteWork.Setup(plan, ref.getFirstRow(), method.prompts(), model, tries, UnitSeeds.of(shard.task().getContext())));
    return shard.runner().run(shard.units(1), shard.threads(), work, shard.inputs(), List.of(model.version()));
  }

  private ShardSummary selfInstruct(Shard shard) {
    RunSpec spec = shard.spec();
    MethodSetup method = MethodSetup.of(spec);
    SelfInstruct si = spec.getSelfInstruct();
    List<String> pool = SelfInstructPool.of(shard, poll);
    if (pool.isEmpty()) {
      throw ActivityErrors.badInput("the instruction pool of " + shard.task().getContext().getCallId()
          + " is empty: self-instruct needs examples");
    }
    NearDuplicates nearDuplicates = NearDuplicates.of(si);
    nearDuplicates.addAll(pool);
    InstructionCandidates candidates = InstructionCandidates.of(method.profile(), si);
    // An instruction has fewer than max_words words: more than ~2 tokens a word can only be rejected.
    int tokens = (int) Math.min(si.getSampling().getMaxNewTokens(), 2L * si.getMaxWords() + 64);
    // The reference writes and judges instructions with the base model in every round; the task's
    // adapter (the round's Generator) only with generator_writes.
    Generation generator =
        shard.generation(models, Roles.GENERATOR, si.getGeneratorWrites() ? shard.task().getAdapter() : null,
            si.getSampling(), tokens);
    generator = generator.withExtraStops(method.prompts().selfInstructStop().stream().toList());
    Generation judge = null;
    List<ModelVersion> versions = new ArrayList<>(List.of(generator.version()));
    if (!si.hasJudge() || si.getJudge()) {
      judge = shard.generation(models, "judge", null, si.getSampling(), JUDGE_TOKENS);
      if (si.getLenientJudge()) {
        judge = judge.with(SamplingParams.greedy(), JUDGE_TOKENS);
      }
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
                si.getLenientParse(),
                si.getLenientJudge(),
                UnitSeeds.of(shard.task().getContext())));
    return shard.runner().run(shard.units(1), shard.threads(), work, shard.inputs(), versions);
  }

  private ShardSummary respond(Shard shard) {
    RunSpec spec = shard.spec();
    MethodSetup method = MethodSetup.of(spec);
    ShardRef ref = shard.ref();
    List<String> instructions = instructions(shard.store(), ref.getInput(), ref.getFirstRow(), ref.getRowCount());
    Generation generator = shard.generation(models, spec.getSampling(), spec.getSampling().getMaxNewTokens());
    RespondWork work =
        new RespondWork(
            new RespondWork.Setup(
                instructions,
                ref.getFirstRow(),
                method.prompts(),
                method.check(),
                generator,
                spec.getInitialResponses().getMaxTries(),
                UnitSeeds.of(shard.task().getContext())));
    int per = spec.getInitialResponses().getPerInstruction();
    return shard.runner().run(shard.units(per), shard.threads(), work, shard.inputs(), List.of(generator.version()));
  }

  private ShardSummary extend(Shard shard) {
    RunSpec spec = shard.spec();
    MethodSetup method = MethodSetup.of(spec);
    ShardRef ref = shard.ref();
    String path = ref.getInput().getPath();
    List<JsonNode> rows = Datasets.slice(shard.store(), ref.getInput(), ref.getFirstRow(), ref.getRowCount());
    List<ExtendWork.Kept> kept = new ArrayList<>(rows.size());
    for (int i = 0; i < rows.size(); i++) {
      long index = ref.getFirstRow() + i;
      kept.add(
          new ExtendWork.Kept(
              Datasets.instruction(rows.get(i), path, index),
              Datasets.text(rows.get(i), "response", path, index)));
    }
    var ext = spec.getExtension();
    Generation extender = shard.generation(models, spec.getSampling(), spec.getSampling().getMaxNewTokens());
    ExtendWork work =
        new ExtendWork(
            new ExtendWork.Setup(
                kept,
                ref.getFirstRow(),
                method.prompts(),
                ExtensionAcceptance.of(method.check(), method.profile(), ext),
                extender,
                ext.getMaxTries(),
                ext.getMicroIterations(),
                ext.getPrefixFraction(),
                ext.getLenientParagraphs(),
                UnitSeeds.of(shard.task().getContext()),
                PreferenceSpecs.needsTrace(spec)));
    return shard.runner().run(
        shard.units(ext.getAttempts()), shard.threads(), work, shard.inputs(), List.of(extender.version()));
  }

  private ShardSummary measure(Shard shard) {
    MethodSetup method = MethodSetup.of(shard.spec());
    ShardRef ref = shard.ref();
    List<String> instructions = instructions(shard.store(), ref.getInput(), ref.getFirstRow(), ref.getRowCount());
    Sampling sampling = shard.spec().getMeasurement().getSampling();
    Generation generator = shard.generation(models, sampling, sampling.getMaxNewTokens());
    MeasureWork work =
        new MeasureWork(
            new MeasureWork.Setup(
                instructions, ref.getFirstRow(), method.prompts(), generator, UnitSeeds.of(shard.task().getContext())));
    return shard.runner().run(shard.units(1), shard.threads(), work, shard.inputs(), List.of(generator.version()));
  }

  static List<String> instructions(DataStore store, selflengthen.v1.DatasetRef ref, long first, long count) {
    List<JsonNode> rows = Datasets.slice(store, ref, first, count);
    List<String> out = new ArrayList<>(rows.size());
    for (int i = 0; i < rows.size(); i++) {
      out.add(Datasets.instruction(rows.get(i), ref.getPath(), first + i));
    }
    return out;
  }
}
