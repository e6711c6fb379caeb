package selflengthen.workflows;

import selflengthen.activities.AgentWriteActivities;
import selflengthen.activities.DpoActivities;
import selflengthen.activities.PreferenceActivities;
import selflengthen.v1.AdapterRef;
import selflengthen.v1.BuiltPreferenceSets;
import selflengthen.v1.DpoTask;
import selflengthen.v1.PreferenceSetsTask;
import selflengthen.v1.ShardSummary;
import selflengthen.v1.ShardTask;
import selflengthen.v1.TrainingResult;

/** Doubles of the preference stage's activities: record the call, answer with plausible refs. */
final class ScriptedPreferenceActivities implements PreferenceActivities, DpoActivities, AgentWriteActivities {
  private final CallLog log;
  private final ScriptedInferenceActivities inference;
  final java.util.List<DpoTask> dpoTasks = new java.util.concurrent.CopyOnWriteArrayList<>();

  ScriptedPreferenceActivities(CallLog log) {
    this.log = log;
    this.inference = new ScriptedInferenceActivities(log);
  }

  @Override
  public BuiltPreferenceSets buildPreferenceSets(PreferenceSetsTask task) {
    log.record("preference", task.getContext().getCallId());
    long pairs = task.getExtended().getCount();
    String dir = task.getOutputDir();
    return BuiltPreferenceSets.newBuilder()
        .setPairs(Refs.dataset(dir + "/pairs.jsonl", pairs))
        .setLlamaFactory(Refs.dataset(dir + "/preference_r" + task.getContext().getRound() + ".json", pairs))
        .setTrl(Refs.dataset(dir + "/trl.jsonl", pairs))
        .setDatasetInfoPath(dir + "/dataset_info.json")
        .setDatasetName("preference_r" + task.getContext().getRound())
        .build();
  }

  @Override
  public TrainingResult trainDpo(DpoTask task) {
    log.record("dpo", task.getContext().getCallId());
    dpoTasks.add(task);
    return TrainingResult.newBuilder()
        .setAdapter(AdapterRef.newBuilder().setPath(task.getOutputDir()).setRole("generator")
            .setRound(task.getContext().getRound()).setSha256(Refs.sha256(task.getOutputDir())))
        .setSteps(3)
        .setFirstLoss(0.693)
        .setFinalLoss(0.5)
        .setExamples(task.getPairsCount())
        .build();
  }

  @Override
  public ShardSummary agentWriteShard(ShardTask task) {
    return inference.respondShard(task);
  }
}
