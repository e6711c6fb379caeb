package selflengthen.workers.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowOptions;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import selflengthen.activities.Roles;
import selflengthen.activities.RunPaths;
import selflengthen.activities.Stages;
import selflengthen.activities.models.ModelPool;
import selflengthen.activities.testing.ScriptedModel;
import selflengthen.activities.testing.ScriptedTrainer;
import selflengthen.activities.testing.TestRuns;
import selflengthen.model.config.EngineOptions;
import selflengthen.model.ModelFactory;
import selflengthen.model.api.GenerationRequest;
import selflengthen.model.openai.ApiKey;
import selflengthen.payload.Payloads;
import selflengthen.store.DataStore;
import selflengthen.v1.ModelRef;
import selflengthen.v1.RoundResult;
import selflengthen.v1.RunResult;
import selflengthen.v1.RunSpec;
import selflengthen.workers.WorkerContext;
import selflengthen.workers.registrar.SelfLengthenRegistrar;
import selflengthen.workflows.SelfLengthenRun;
import selflengthen.workflows.TaskQueues;

/**
 * A whole run of one round on Temporal's in-memory service with the production registrar and
 * activities, whose generator, extender and judge are endpoint refs: every generation goes over
 * HTTP on loopback, with an API key, to our own {@code serve} (OpenAiServer). Behind the server is
 * the scripted model (its answers follow the method's formats and grow with the adapter's round),
 * so the method has data to work on; the real DJL engine over HTTP is ClientOverRealEngineTest's.
 * The round's trained adapter reaches the server by runtime loading and is what the round's
 * measurement generates with.
 */
@Tag("integration")
class RoundOverHttpTest {
  static final String RUN = "http-round";

  @TempDir Path tmp;

  @Test
  void aRoundWhoseModelsAreEndpointsRunsEveryStageOverHttp() throws Exception {
    ScriptedModel engine = new ScriptedModel();
    ApiKey key = ApiKey.fromEnvironment("ROUND_KEY", Map.of("ROUND_KEY", "sk-round-5521"));
    ModelCatalog catalog = new ModelCatalog().addBase("seed-chat", engine);
    try (OpenAiServer server = OpenAiServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
        catalog, ServerOptions.defaults().withApiKey(key).withRuntimeAdapters(true).withMaxConcurrentGenerations(8))) {
      Path model = tmp.resolve("tiny");
      ModelFactory.init("tiny", model, 7L, null); // the base the trainer trains (prepareRun reads it)
      Path root = tmp.resolve("data");
      RunSpec.Builder b = TestRuns.spec(RUN, root, TestRuns.seedFile(tmp, TestRuns.SEEDS), model).setRounds(1);
      ModelRef endpoint = ModelRef.newBuilder().setEndpoint(server.baseUrl().toString()).setModelName("seed-chat")
          .setApiKeyEnv("ROUND_KEY").setMaxConcurrency(4).setTimeoutSeconds(30).build();
      b.getModelsBuilder().setGenerator(endpoint).setExtender(endpoint).setJudge(endpoint);
      RunSpec spec = b.build();

      DataStore store = DataStore.open(root);
      ScriptedTrainer trainer = new ScriptedTrainer();
      // The workers' pool: endpoint refs get HTTP clients; the key comes from "the environment".
      Map<String, String> environment = Map.of("ROUND_KEY", "sk-round-5521");
      SelfLengthenRegistrar registrar = new SelfLengthenRegistrar(
          () -> new ModelPool(EngineOptions.defaults(), environment::get), () -> trainer);
      TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance(
          TestEnvironmentOptions.newBuilder()
            .setWorkerFactoryOptions(selflengthen.workers.WorkerHost.factoryOptions())
              .setUseTimeskipping(false)
              .setWorkflowClientOptions(
                  WorkflowClientOptions.newBuilder().setDataConverter(Payloads.dataConverter()).build())
              .build());
      try {
        WorkerContext context =
            new WorkerContext(store, 4, TaskQueues.ALL, "in-memory", "default", env.getWorkflowClient());
        for (String queue : TaskQueues.ALL) {
          registrar.register(queue, env.newWorker(queue), context);
        }
        env.start();
        RunResult result = run(env.getWorkflowClient(), spec);

        assertEquals(1, result.getRoundsCount());
        RoundResult r = result.getRounds(0);
        assertEquals(Stages.ROUND, r.getStagesList().stream().map(s -> s.getName()).toList());
        for (String stage : List.of(Stages.SELF_INSTRUCT, Stages.RESPOND, Stages.DROP_SHORT, Stages.EXTEND,
            Stages.DROP_SHORT_EXTENDED, Stages.MEASURE)) {
          String out = RunPaths.stageOutput(RUN, 1, stage);
          assertTrue(store.isComplete(out) && !store.readJsonl(out).isEmpty(), stage + ": " + out);
        }
        assertTrue(r.getInstructionsMade() > 0 && r.getResponsesKept() > 0 && r.getExtendedLengths().getCount() > 0,
            r.toString());
        for (String role : List.of(Roles.GENERATOR, Roles.EXTENDER)) {
          assertTrue(store.exists(RunPaths.trainingSet(RUN, 1, role)), role);
          assertTrue(store.isComplete(RunPaths.adapterDir(RUN, 1, role)), role);
        }
        // Generator and Extender of round 1, then the final SFT on the length-controlled set.
        assertEquals(3, trainer.jobs.size());
        assertEquals(model, trainer.jobs.get(0).baseModel(), "endpoint roles train the run's base model");
        assertTrue(store.exists(RunPaths.longSet(RUN)));

        // Every engine call arrived through the server; none was made in process.
        assertTrue(engine.calls.get() > 20, "calls: " + engine.calls.get());
        assertEquals(engine.calls.get(), server.generationRequests());
        // The Extender's continuation arrived as a forced prefix (continue_final_message).
        assertTrue(engine.requests.stream().anyMatch(q -> !q.forcedPrefix().isEmpty()));
        // The round's adapter was loaded at run time and the round's measurement used it.
        String adapter = store.resolve(RunPaths.adapterDir(RUN, 1, Roles.GENERATOR)).toString();
        assertTrue(catalog.all().stream().anyMatch(m -> m.isAdapter() && m.adapter().toString().equals(adapter)),
            catalog.all().toString());
        assertTrue(engine.requests.stream().map(GenerationRequest::adapter).anyMatch(adapter::equals));
        assertTrue(r.getHeldOutLengths().getMeanWords() > result.getSeedHeldOutLengths().getMeanWords(),
            "the scripted model writes longer with the round-1 adapter");
      } finally {
        env.close();
        registrar.close();
      }
    }
  }

  private static RunResult run(WorkflowClient client, RunSpec spec) {
    SelfLengthenRun run = client.newWorkflowStub(SelfLengthenRun.class, WorkflowOptions.newBuilder()
        .setWorkflowId(RUN).setTaskQueue(TaskQueues.CONTROL).setWorkflowExecutionTimeout(Duration.ofSeconds(120)).build());
    return run.run(spec, null);
  }
}
