package selflengthen.workflows;

import selflengthen.activities.TrainActivities;
import selflengthen.v1.AdapterRef;
import selflengthen.v1.TrainTask;
import selflengthen.v1.TrainingResult;

/** Train double: takes {@link CallLog#SLOW_MS} (so concurrency shows) and names the adapter it "made". */
final class ScriptedTrainActivities implements TrainActivities {
  private final CallLog log;

  ScriptedTrainActivities(CallLog log) {
    this.log = log;
  }

  @Override
  public TrainingResult train(TrainTask task) {
    String id = task.getContext().getCallId();
    log.record("train", id);
    log.trainTasks.add(task);
    String group = "round-" + task.getContext().getRound() + "/train";
    log.enter(group);
    try {
      ScriptedInferenceActivities.sleep(CallLog.SLOW_MS);
    } finally {
      log.exit(group);
    }
    long examples = task.getTrainingSet().getCount();
    return TrainingResult.newBuilder()
        .setAdapter(
            AdapterRef.newBuilder()
                .setPath(task.getOutputDir())
                .setRole(task.getRole())
                .setRound(task.getContext().getRound())
                .setSha256(Refs.sha256(task.getOutputDir())))
        .setSteps(examples * 4)
        .setFirstLoss(2.0)
        .setFinalLoss(1.0)
        .setTokensPerSecond(100)
        .setExamples(examples)
        .build();
  }
}
