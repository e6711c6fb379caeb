package selflengthen.workers;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.workflow.Async;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import selflengthen.workflows.TaskQueues;

/** Small workflows and activities for worker tests (test doubles, not the method). */
public final class TestJobs {
  private TestJobs() {}

  @WorkflowInterface
  public interface FanOut {
    /** Runs n probe activities on the inference queue at once; returns how many ran. */
    @WorkflowMethod(name = "TestFanOut")
    int run(int n);
  }

  @ActivityInterface
  public interface Probe {
    int hold(long millis);
  }

  public static class FanOutImpl implements FanOut {
    private final Probe probe = Workflow.newActivityStub(Probe.class, ActivityOptions.newBuilder()
        .setTaskQueue(TaskQueues.INFERENCE)
        .setStartToCloseTimeout(Duration.ofSeconds(30))
        .build());

    @Override
    public int run(int n) {
      List<Promise<Integer>> all = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        all.add(Async.function(probe::hold, 300L));
      }
      return all.stream().mapToInt(Promise::get).sum();
    }
  }

  /** Counts how many holds run at the same time. */
  public static class ProbeImpl implements Probe {
    final AtomicInteger running = new AtomicInteger();
    final AtomicInteger maxRunning = new AtomicInteger();

    @Override
    public int hold(long millis) {
      maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
      try {
        Thread.sleep(millis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        running.decrementAndGet();
      }
      return 1;
    }
  }

  @WorkflowInterface
  public interface SlowJob {
    @WorkflowMethod(name = "TestSlowJob")
    String run(String markerDir, long millis);
  }

  @ActivityInterface
  public interface Slow {
    /** Writes "started", works for millis, writes "finished". */
    String work(String markerDir, long millis);
  }

  public static class SlowJobImpl implements SlowJob {
    private final Slow slow = Workflow.newActivityStub(Slow.class, ActivityOptions.newBuilder()
        .setStartToCloseTimeout(Duration.ofMinutes(2))
        .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(1).build())
        .build());

    @Override
    public String run(String markerDir, long millis) {
      return slow.work(markerDir, millis);
    }
  }

  public static class SlowImpl implements Slow {
    @Override
    public String work(String markerDir, long millis) {
      Path dir = Path.of(markerDir);
      try {
        Files.writeString(dir.resolve("started"), "1");
        Thread.sleep(millis);
        Files.writeString(dir.resolve("finished"), "1");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
      return "done";
    }
  }

  /** Registers the slow job and its activity on the control queue. */
  public static class SlowRegistrar implements WorkerRegistrar {
    @Override
    public void register(String queue, io.temporal.worker.Worker worker, WorkerContext context) {
      if (queue.equals(TaskQueues.CONTROL)) {
        worker.registerWorkflowImplementationTypes(SlowJobImpl.class);
        worker.registerActivitiesImplementations(new SlowImpl());
      }
    }
  }

  /** A worker process for shutdown tests: the real CLI with the slow registrar. */
  public static final class WorkerMain {
    public static void main(String[] args) {
      System.exit(selflengthen.workers.cli.Main.commandLine(SlowRegistrar::new).execute(args));
    }
  }
}
