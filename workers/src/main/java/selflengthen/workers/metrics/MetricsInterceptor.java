package selflengthen.workers.metrics;

import io.temporal.common.interceptors.ActivityInboundCallsInterceptor;
import io.temporal.common.interceptors.ActivityInboundCallsInterceptorBase;
import io.temporal.common.interceptors.WorkerInterceptorBase;
import io.temporal.common.interceptors.WorkflowInboundCallsInterceptor;
import io.temporal.common.interceptors.WorkflowInboundCallsInterceptorBase;
import io.temporal.workflow.Workflow;
import selflengthen.v1.RoundProgress;
import selflengthen.v1.ShardSummary;
import selflengthen.v1.ShardTask;
import selflengthen.v1.StageProgress;

/**
 * Feeds {@link WorkerMetrics} from what passes through a worker, so activity and workflow code stay
 * free of it: each finished shard adds its new samples (rows it wrote minus rows an earlier attempt
 * had committed), and each progress message a round sends its run sets the run's stage gauges.
 * Replayed signals are skipped: they carry old progress.
 */
public final class MetricsInterceptor extends WorkerInterceptorBase {
  /** The run workflow's signal carrying a round's progress (SelfLengthenRun#roundProgress). */
  static final String ROUND_PROGRESS = "roundProgress";

  private final WorkerMetrics metrics;

  public MetricsInterceptor(WorkerMetrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public ActivityInboundCallsInterceptor interceptActivity(ActivityInboundCallsInterceptor next) {
    return new ActivityInboundCallsInterceptorBase(next) {
      @Override
      public ActivityOutput execute(ActivityInput input) {
        ActivityOutput out = super.execute(input);
        Object[] args = input.getArguments();
        if (out.getResult() instanceof ShardSummary s && args.length == 1 && args[0] instanceof ShardTask t) {
          metrics.samplesCommitted(t.getContext().getStage(), Math.max(0, s.getSamplesOut() - s.getResumedRows()));
        }
        return out;
      }
    };
  }

  @Override
  public WorkflowInboundCallsInterceptor interceptWorkflow(WorkflowInboundCallsInterceptor next) {
    return new WorkflowInboundCallsInterceptorBase(next) {
      @Override
      public void handleSignal(SignalInput input) {
        if (input.getSignalName().equals(ROUND_PROGRESS)
            && !Workflow.isReplaying()
            && input.getArguments().length == 1
            && input.getArguments()[0] instanceof RoundProgress p) {
          String run = Workflow.getInfo().getWorkflowId();
          for (StageProgress s : p.getStagesList()) {
            metrics.stageProgress(run, s.getName(), s.getShardsDone(), s.getShardsRunning(), s.getShardsTotal());
          }
        }
        super.handleSignal(input);
      }
    };
  }
}
