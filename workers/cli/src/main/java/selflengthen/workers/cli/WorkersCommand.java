package selflengthen.workers.cli;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.enums.v1.TaskQueueType;
import io.temporal.api.taskqueue.v1.PollerInfo;
import io.temporal.api.taskqueue.v1.TaskQueue;
import io.temporal.api.workflowservice.v1.DescribeTaskQueueRequest;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import selflengthen.workers.TemporalConnection;
import selflengthen.workflows.TaskQueues;

@Command(
    name = "workers",
    mixinStandardHelpOptions = true,
    description = "List who polls each task queue (DescribeTaskQueue). The embedded in-memory server"
        + " does not implement that call; then this says so.")
public final class WorkersCommand implements Callable<Integer> {
  static final String UNSUPPORTED = "this Temporal server does not implement DescribeTaskQueue"
      + " (the embedded in-memory server does not): cannot list workers";

  @Spec CommandSpec spec;
  @Mixin ClientOptions client;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    try (TemporalConnection conn = client.connect()) {
      StringBuilder table = new StringBuilder(String.format(Locale.ROOT, "%-24s %-9s %-40s %s%n",
          "queue", "kind", "worker", "last poll"));
      long now = System.currentTimeMillis();
      for (String queue : TaskQueues.ALL) {
        boolean any = false;
        for (TaskQueueType type : List.of(TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW, TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY)) {
          List<PollerInfo> pollers;
          try {
            pollers = conn.stubs().blockingStub().describeTaskQueue(DescribeTaskQueueRequest.newBuilder()
                .setNamespace(conn.namespace())
                .setTaskQueue(TaskQueue.newBuilder().setName(queue))
                .setTaskQueueType(type)
                .build()).getPollersList();
          } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.UNIMPLEMENTED) {
              out.println(UNSUPPORTED);
              return 0;
            }
            throw e;
          }
          for (PollerInfo p : pollers) {
            any = true;
            long ago = now - p.getLastAccessTime().getSeconds() * 1000 - p.getLastAccessTime().getNanos() / 1_000_000;
            table.append(String.format(Locale.ROOT, "%-24s %-9s %-40s %s ago%n", queue,
                type == TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW ? "workflow" : "activity",
                p.getIdentity(), StatusView.duration(ago)));
          }
        }
        if (!any) {
          table.append(String.format(Locale.ROOT, "%-24s %-9s %s%n", queue, "-", "(no workers)"));
        }
      }
      out.print(table);
    }
    return 0;
  }
}
