package selflengthen.workers.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import selflengthen.activities.testing.ScriptedModels;
import selflengthen.activities.testing.ScriptedTrainer;
import selflengthen.activities.testing.TestRuns;
import selflengthen.payload.Payloads;
import selflengthen.store.DataStore;
import selflengthen.v1.RunResult;
import selflengthen.v1.RunSpec;
import selflengthen.workers.WorkerContext;
import selflengthen.workers.registrar.SelfLengthenRegistrar;
import selflengthen.workflows.SelfLengthenRun;
import selflengthen.workflows.TaskQueues;

/**
 * {@code selflengthen_tokens_generated_total} counts what the run's generations really produced:
 * after a one-round run through the production registrar, the scraped value is the sum of the
 * completion tokens the model returned.
 */
@Tag("integration")
class TokenMetricTest {
  static final Pattern TOKENS = Pattern.compile("(?m)^selflengthen_tokens_generated_total (\\S+)$");

  @TempDir Path tmp;

  @Test
  void aRunFeedsTheTokenCounter() throws Exception {
    RunSpec spec = TestRuns.spec("tokens", tmp.resolve("data"), TestRuns.seedFile(tmp, TestRuns.SEEDS),
        TestRuns.modelDir(tmp)).setRounds(1).build();
    ScriptedModels models = new ScriptedModels();
    SelfLengthenRegistrar registrar = new SelfLengthenRegistrar(() -> models, ScriptedTrainer::new);
    TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance(TestEnvironmentOptions.newBuilder()
            .setWorkerFactoryOptions(selflengthen.workers.WorkerHost.factoryOptions())
        .setUseTimeskipping(false)
        .setWorkflowClientOptions(WorkflowClientOptions.newBuilder().setDataConverter(Payloads.dataConverter()).build())
        .build());
    try (MetricsEndpoint endpoint = MetricsEndpoint.start("127.0.0.1", 0)) {
      assertEquals(0.0, tokens(scrape(endpoint)));
      WorkerContext context = new WorkerContext(DataStore.open(tmp.resolve("data")), 4, TaskQueues.ALL,
          "in-memory", "default", env.getWorkflowClient());
      for (String queue : TaskQueues.ALL) {
        registrar.register(queue, env.newWorker(queue), context);
      }
      env.start();
      WorkflowClient client = env.getWorkflowClient();
      SelfLengthenRun run = client.newWorkflowStub(SelfLengthenRun.class, WorkflowOptions.newBuilder()
          .setWorkflowId("tokens").setTaskQueue(TaskQueues.CONTROL)
          .setWorkflowExecutionTimeout(Duration.ofSeconds(120)).build());
      WorkflowClient.start(run::run, spec, null);
      RunResult result = WorkflowStub.fromTyped(client.newWorkflowStub(SelfLengthenRun.class, "tokens"))
          .getResult(RunResult.class);
      assertEquals(1, result.getRoundsCount());

      double scraped = tokens(scrape(endpoint));
      assertTrue(models.model.calls.get() > 0);
      assertTrue(scraped > 0, "tokens after a run: " + scraped);
      assertEquals(models.model.completionTokens.get(), (long) scraped,
          "the counter is the sum of the completion tokens the model returned");
    } finally {
      env.close();
      registrar.close();
    }
  }

  static double tokens(String text) {
    Matcher m = TOKENS.matcher(text);
    assertTrue(m.find(), text);
    return Double.parseDouble(m.group(1));
  }

  static String scrape(MetricsEndpoint endpoint) throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(endpoint.url())).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode());
    return r.body();
  }
}
