package selflengthen.activities.inference;

import java.time.Duration;
import java.util.List;
import selflengthen.activities.AgentWriteActivities;
import selflengthen.activities.models.ModelProvider;
import selflengthen.activities.support.DataRoots;
import selflengthen.activities.support.MethodSetup;
import selflengthen.method.agentwrite.AgentWritePrompts;
import selflengthen.v1.RunSpec;
import selflengthen.v1.ShardRef;
import selflengthen.v1.ShardSummary;
import selflengthen.v1.ShardTask;

/** AgentWrite shards through {@link ShardRunner}, as the other inference stages run. */
public final class AgentWriteActivitiesImpl implements AgentWriteActivities {
  /** The directory, next to the shard files, that holds each unit's plan and paragraphs. */
  public static final String DIR = "agentwrite";

  private final DataRoots roots;
  private final ModelProvider models;
  private final Duration poll;

  public AgentWriteActivitiesImpl(DataRoots roots, ModelProvider models, Duration poll) {
    this.roots = roots;
    this.models = models;
    this.poll = poll;
  }

  public AgentWriteActivitiesImpl(DataRoots roots, ModelProvider models) {
    this(roots, models, Duration.ofSeconds(1));
  }

  @Override
  public ShardSummary agentWriteShard(ShardTask task) {
    return Shard.run(roots, poll, task, this::write);
  }

  /** The stage directory of a shard's output file (runs/&lt;run&gt;/round-&lt;k&gt;/&lt;stage&gt;). */
  static String stageDir(String outputPath) {
    int slash = outputPath.lastIndexOf('/');
    return slash < 0 ? "" : outputPath.substring(0, slash);
  }

  private ShardSummary write(Shard shard) {
    RunSpec spec = shard.spec();
    MethodSetup method = MethodSetup.of(spec);
    ShardRef ref = shard.ref();
    List<String> instructions =
        InferenceActivitiesImpl.instructions(shard.store(), ref.getInput(), ref.getFirstRow(), ref.getRowCount());
    Generation generator = shard.generation(models, spec.getSampling(), spec.getSampling().getMaxNewTokens());
    String stageDir = stageDir(shard.task().getOutputPath());
    AgentWriteWork work = new AgentWriteWork(new AgentWriteWork.Setup(
        instructions,
        ref.getFirstRow(),
        method.profile(),
        AgentWritePrompts.of(method.profile()),
        generator,
        spec.getInitialResponses().getMaxTries(),
        shard.store(),
        (stageDir.isEmpty() ? "" : stageDir + "/") + DIR,
        UnitSeeds.of(shard.task().getContext())));
    int per = spec.getInitialResponses().getPerInstruction();
    return shard.runner().run(shard.units(per), shard.threads(), work, shard.inputs(), List.of(generator.version()));
  }
}
