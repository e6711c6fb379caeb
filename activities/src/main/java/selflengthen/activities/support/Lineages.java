package selflengthen.activities.support;

import io.temporal.activity.Activity;
import io.temporal.activity.ActivityInfo;
import java.util.List;
import selflengthen.store.InputRef;
import selflengthen.store.Lineage;
import selflengthen.store.ModelVersion;
import selflengthen.store.Producer;
import selflengthen.v1.StageContext;

/** Lineage of an artifact made by the running activity: its workflow, stage, shard and attempt. */
public final class Lineages {
  private Lineages() {}

  public static Lineage of(
      StageContext context, Integer shard, List<InputRef> inputs, List<ModelVersion> models) {
    String workflowId = context.getCallId();
    int attempt = 1;
    try {
      ActivityInfo info = Activity.getExecutionContext().getInfo();
      workflowId = info.getWorkflowId();
      attempt = info.getAttempt();
    } catch (IllegalStateException e) {
      // Called outside an activity (a tool or test driving the implementation directly).
    }
    return new Lineage(new Producer(workflowId, context.getStage(), shard, attempt), inputs, models);
  }

  public static Lineage of(StageContext context, List<InputRef> inputs) {
    return of(context, null, inputs, List.of());
  }
}
