package selflengthen.workers.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.temporal.activity.ActivityOptions;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import selflengthen.activities.InferenceActivities;
import selflengthen.store.DataStore;
import selflengthen.v1.Models;
import selflengthen.v1.RoundProgress;
import selflengthen.v1.RunSpec;
import selflengthen.v1.SelfInstruct;
import selflengthen.v1.ShardSummary;
import selflengthen.v1.ShardTask;
import selflengthen.v1.StageContext;
import selflengthen.v1.StageProgress;
import selflengthen.workers.ConnectionSettings;
import selflengthen.workers.ControllableRun;
import selflengthen.workers.cli.Main;
import selflengthen.workers.TemporalConnection;
import selflengthen.workers.WorkerContext;
import selflengthen.workers.WorkerHost;
import selflengthen.workers.server.EmbeddedTemporal;
import selflengthen.workflows.SelfLengthenRun;
import selflengthen.workflows.TaskQueues;

/** A worker's /metrics: Temporal SDK metrics and the project's counters and progress gauges. */
@Tag("integration")
class MetricsEndpointTest {
  @TempDir Path dir;

  @WorkflowInterface
  public interface OneShard {
    @WorkflowMethod(name = "TestOneShard")
    ShardSummary run(ShardTask task);
  }

  public static class OneShardImpl implements OneShard {
    @Override
    public ShardSummary run(ShardTask task) {
      return Workflow.newActivityStub(InferenceActivities.class, ActivityOptions.newBuilder()
          .setTaskQueue(TaskQueues.INFERENCE).setStartToCloseTimeout(Duration.ofSeconds(30)).build())
          .respondShard(task);
    }
  }

  /** A shard whose attempt found 2 rows committed by an earlier one and wrote 5 in all. */
  static final class ResumedShard implements InferenceActivities {
    ShardSummary summary(ShardTask t) {
      return ShardSummary.newBuilder().setIndex(t.getShard().getIndex()).setSamplesOut(5).setResumedRows(2).build();
    }

    @Override
    public ShardSummary selfInstructShard(ShardTask task) {
      return summary(task);
    }

    @Override
    public ShardSummary respondShard(ShardTask task) {
      return summary(task);
    }

    @Override
    public ShardSummary extendShard(ShardTask task) {
      return summary(task);
    }

    @Override
    public ShardSummary measureShard(ShardTask task) {
      return summary(task);
    }

    @Override
    public ShardSummary lengthRewriteShard(ShardTask task) {
      return summary(task);
    }
  }

  static String scrape(MetricsEndpoint endpoint) throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(endpoint.url())).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode());
    return r.body();
  }

  @Test
  void scrapeShowsTemporalSdkMetricsAndOurCounters() throws Exception {
    try (EmbeddedTemporal server = EmbeddedTemporal.start(0);
        MetricsEndpoint endpoint = MetricsEndpoint.start("127.0.0.1", 0);
        TemporalConnection conn = TemporalConnection.connect(
            ConnectionSettings.plain(server.address(), "default").withMetrics(endpoint.temporalScope()),
            Duration.ofSeconds(10))) {
      assertEquals("127.0.0.1", ((InetSocketAddress) new InetSocketAddress("127.0.0.1", endpoint.port())).getHostString());
      assertTrue(endpoint.url().startsWith("http://127.0.0.1:"), endpoint.url());
      WorkerHost host = WorkerHost.start(new WorkerContext(DataStore.open(dir), 2,
          List.of(TaskQueues.CONTROL, TaskQueues.INFERENCE), conn.address(), conn.namespace(), conn.client()),
          (queue, worker, ctx) -> {
            if (queue.equals(TaskQueues.CONTROL)) {
              worker.registerWorkflowImplementationTypes(OneShardImpl.class, ControllableRun.class);
            } else {
              worker.registerActivitiesImplementations(new ResumedShard());
            }
          }, WorkerHost.ServerKind.IN_MEMORY_HERE);
      try {
        OneShard shard = conn.client().newWorkflowStub(OneShard.class,
            WorkflowOptions.newBuilder().setTaskQueue(TaskQueues.CONTROL).setWorkflowId("one-shard").build());
        shard.run(ShardTask.newBuilder().setContext(StageContext.newBuilder().setStage("respond").setRound(1)).build());

        SelfLengthenRun run = conn.client().newWorkflowStub(SelfLengthenRun.class,
            WorkflowOptions.newBuilder().setTaskQueue(TaskQueues.CONTROL).setWorkflowId("metrics-run").build());
        WorkflowClient.start(run::run, RunSpec.newBuilder().setRunId("metrics-run")
            .setModels(Models.newBuilder().setBaseModel("/m"))
            .setSelfInstruct(SelfInstruct.newBuilder().setSeedFile("/s.jsonl")).build(), null);
        conn.client().newWorkflowStub(SelfLengthenRun.class, "metrics-run").roundProgress(RoundProgress.newBuilder()
            .setRound(1).setStage("respond").setSeq(1)
            .addStages(StageProgress.newBuilder().setName("respond").setShardsTotal(8).setShardsDone(3).setShardsRunning(2))
            .build());
        WorkerMetrics.global().tokensGenerated(1234);

        String text = "";
        long deadline = System.currentTimeMillis() + 15_000;
        Pattern sdk = Pattern.compile("(?m)^temporal_request_total\\{.*\\} [1-9]");
        Pattern gauge = Pattern.compile(
            "(?m)^selflengthen_stage_shards_done\\{run=\"metrics-run\",stage=\"respond\"\\} 3\\.0$");
        while (System.currentTimeMillis() < deadline) {
          text = scrape(endpoint);
          if (sdk.matcher(text).find() && gauge.matcher(text).find()) {
            break;
          }
          Thread.sleep(200);
        }
        assertTrue(sdk.matcher(text).find(), "a Temporal SDK metric: " + text);
        assertTrue(text.contains("temporal_activity_execution_latency_seconds_count{activity_type=\"RespondShard\""),
            "worker metrics: " + text);
        assertTrue(gauge.matcher(text).find(), text);
        assertTrue(text.contains("selflengthen_stage_shards_planned{run=\"metrics-run\",stage=\"respond\"} 8.0"), text);
        assertTrue(text.contains("selflengthen_stage_shards_running{run=\"metrics-run\",stage=\"respond\"} 2.0"), text);
        assertTrue(text.contains("selflengthen_samples_committed_total{stage=\"respond\"} 3.0"),
            "5 rows written minus 2 resumed: " + text);
        assertTrue(text.contains("selflengthen_tokens_generated_total 1234.0"), text);
      } finally {
        host.shutdown(Duration.ofSeconds(5));
      }
    }
  }

  @Test
  void theWorkerEndpointIsOffByDefaultAndBindsLoopbackWhenOn() {
    CommandLine worker = Main.commandLine(() -> (q, w, c) -> {}).getSubcommands().get("worker");
    for (String[] expected : List.of(new String[] {"--metrics-port", "${env:SELFLENGTHEN_METRICS_PORT:-0}"},
        new String[] {"--metrics-host", "${env:SELFLENGTHEN_METRICS_HOST:-127.0.0.1}"})) {
      var option = worker.getCommandSpec().findOption(expected[0]);
      // The annotation as written: the interpolated default depends on this machine's environment.
      String declared = ((java.lang.reflect.Field) option.userObject())
          .getAnnotation(CommandLine.Option.class).defaultValue();
      assertEquals(expected[1], declared);
    }
  }
}
