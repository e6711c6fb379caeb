package selflengthen.workers.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import io.temporal.api.common.v1.Payload;
import io.temporal.api.common.v1.Payloads;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.common.v1.WorkflowType;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.api.query.v1.WorkflowQuery;
import io.temporal.api.taskqueue.v1.TaskQueue;
import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.api.workflowservice.v1.CountWorkflowExecutionsRequest;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.api.workflowservice.v1.GetWorkflowExecutionHistoryRequest;
import io.temporal.api.workflowservice.v1.ListWorkflowExecutionsRequest;
import io.temporal.api.workflowservice.v1.QueryWorkflowRequest;
import io.temporal.api.workflowservice.v1.QueryWorkflowResponse;
import io.temporal.api.workflowservice.v1.StartWorkflowExecutionRequest;
import io.temporal.api.workflowservice.v1.TerminateWorkflowExecutionRequest;
import io.temporal.api.workflowservice.v1.WorkflowServiceGrpc;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import selflengthen.activities.testing.ScriptedModels;
import selflengthen.activities.testing.ScriptedTrainer;
import selflengthen.activities.testing.TestRuns;
import selflengthen.store.DataStore;
import selflengthen.workers.TemporalConnection;
import selflengthen.workers.WorkerContext;
import selflengthen.workers.WorkerHost;
import selflengthen.workers.registrar.SelfLengthenRegistrar;
import selflengthen.workflows.SelfLengthenRun;
import selflengthen.workflows.TaskQueues;

/**
 * Runs started and read by a client that is not this project's code: a bare gRPC WorkflowService
 * stub over TCP with hand-made {@code json/plain} payloads and results read as plain JSON, as the
 * Temporal CLI, the Web UI or the TypeScript SDK do. Against the embedded server (as {@code dev}
 * runs it) with the production workflows and activities (scripted model and trainer).
 */
@Tag("integration")
class ForeignClientTest {
  static final ObjectMapper JSON = new ObjectMapper();
  @TempDir static Path tmp;
  static EmbeddedTemporal server;
  static TemporalConnection workerConnection;
  static WorkerHost workers;
  static ManagedChannel channel;
  static WorkflowServiceGrpc.WorkflowServiceBlockingStub stub;
  static Path workerRoot;
  static Path seeds;
  static Path model;

  @BeforeAll
  static void start() {
    server = EmbeddedTemporal.start(0);
    workerRoot = tmp.resolve("worker-data");
    seeds = TestRuns.seedFile(tmp, TestRuns.SEEDS);
    model = TestRuns.modelDir(tmp);
    workerConnection = TemporalConnection.connect(server.address(), "default", Duration.ofSeconds(10));
    WorkerContext context = new WorkerContext(
        DataStore.open(workerRoot), 2, TaskQueues.ALL, server.address(), "default", workerConnection.client());
    workers = WorkerHost.start(
        context, new SelfLengthenRegistrar(ScriptedModels::new, ScriptedTrainer::new), true);
    channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
    stub = WorkflowServiceGrpc.newBlockingStub(channel);
  }

  @AfterAll
  static void stop() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    workers.shutdown(Duration.ofSeconds(1));
    workerConnection.close();
    server.close();
  }

  private static Payload jsonPlain(String json) {
    return Payload.newBuilder()
        .putMetadata("encoding", ByteString.copyFromUtf8("json/plain"))
        .setData(ByteString.copyFromUtf8(json))
        .build();
  }

  private static void startRaw(String workflowId, String json) {
    stub.startWorkflowExecution(StartWorkflowExecutionRequest.newBuilder()
        .setNamespace("default")
        .setWorkflowId(workflowId)
        .setWorkflowType(WorkflowType.newBuilder().setName(SelfLengthenRun.TYPE))
        .setTaskQueue(TaskQueue.newBuilder().setName(TaskQueues.CONTROL))
        .setInput(Payloads.newBuilder().addPayloads(jsonPlain(json)))
        .setRequestId(UUID.randomUUID().toString())
        .build());
  }

  private static WorkflowExecutionStatus status(String workflowId) {
    return stub.describeWorkflowExecution(DescribeWorkflowExecutionRequest.newBuilder()
            .setNamespace("default").setExecution(WorkflowExecution.newBuilder().setWorkflowId(workflowId)).build())
        .getWorkflowExecutionInfo().getStatus();
  }

  /** The failure message the run closed with, waiting at most {@code seconds}. */
  private static String failureWithin(String workflowId, int seconds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (status(workflowId) == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING) {
      assertTrue(System.nanoTime() < deadline, workflowId + " still running after " + seconds + " s");
      Thread.sleep(50);
    }
    assertEquals(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_FAILED, status(workflowId));
    List<HistoryEvent> events = stub.getWorkflowExecutionHistory(GetWorkflowExecutionHistoryRequest.newBuilder()
            .setNamespace("default").setExecution(WorkflowExecution.newBuilder().setWorkflowId(workflowId)).build())
        .getHistory().getEventsList();
    HistoryEvent last = events.get(events.size() - 1);
    assertEquals(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED, last.getEventType());
    var failure = last.getWorkflowExecutionFailedEventAttributes().getFailure();
    assertTrue(failure.getApplicationFailureInfo().getNonRetryable(), failure.toString());
    String message = failure.getMessage();
    for (var c = failure; c.hasCause(); c = c.getCause()) {
      message = message + " / " + c.getCause().getMessage();
    }
    long workflowTasksFailed = events.stream()
        .filter(e -> e.getEventType() == EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED).count();
    assertEquals(0, workflowTasksFailed, "the workflow failed; its task did not loop");
    return message;
  }

  private String goodSpec(String extra) {
    return "{\"models\":{\"base_model\":\"" + model + "\"},\"self_instruct\":{\"seed_file\":\"" + seeds
        + "\",\"instructions_per_round\":4},\"measurement\":{\"held_out_count\":2}" + extra + "}";
  }

  @Test
  void aTypoAndAWrongTypeFailWithinSecondsNamingTheFields() throws InterruptedException {
    startRaw("typo", "{\"rounds\":\"three\",\"self_instruct\":{\"instructions_per_rond\":4}}");
    String m = failureWithin("typo", 10);
    assertTrue(m.contains("rounds: 'three' is not a number"), m);
    assertTrue(m.contains("self_instruct.instructions_per_rond: unknown field (did you mean instructions_per_round?)"), m);
    assertFalse(Files.exists(workerRoot.resolve("runs/typo")), "nothing written");

    // Our own status command tells the same, at once.
    java.io.StringWriter out = new java.io.StringWriter();
    picocli.CommandLine cl = selflengthen.workers.cli.Main.commandLine(selflengthen.workers.registrar.SelfLengthenRegistrar::new);
    cl.setOut(new java.io.PrintWriter(out, true));
    long t0 = System.nanoTime();
    assertEquals(0, cl.execute("status", "typo", "--address", server.address()));
    assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(15), "status answers promptly");
    assertTrue(out.toString().startsWith("run typo failed: invalid RunSpec (2 problems)"), out.toString());
  }

  @Test
  void structuralProblemsAndAForeignRunIdFailAtOnce() throws InterruptedException {
    startRaw("neg", "{\"rounds\":0,\"parallelism\":{\"max_concurrent_shards\":100000}," + goodSpec("").substring(1));
    String m = failureWithin("neg", 10);
    assertTrue(m.contains("rounds: must be at least 1 (got 0)"), m);
    assertTrue(m.contains("parallelism.max_concurrent_shards: must be at most 1024 (got 100000)"), m);

    startRaw("wf-id", goodSpec(",\"run_id\":\"other\""));
    m = failureWithin("wf-id", 10);
    assertTrue(m.contains("run_id: 'other' differs from the workflow id 'wf-id'"), m);

    startRaw("rel", goodSpec(",\"data_root\":\"../../x\""));
    m = failureWithin("rel", 10);
    assertTrue(m.contains("data_root: '../../x' is a relative path"), m);
  }

  @Test
  void aRunWithoutDataRootLandsInTheWorkersRootAndIsReadableListableAndCountable() throws Exception {
    startRaw("plain", goodSpec(""));
    Path spec = workerRoot.resolve("runs/plain/spec.json");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!Files.exists(spec)) {
      assertTrue(System.nanoTime() < deadline, "no spec.json under the worker's data root");
      Thread.sleep(50);
    }
    JsonNode stored = JSON.readTree(Files.readString(spec));
    assertEquals("plain", stored.get("run_id").asText(), "run_id defaults to the workflow id");
    assertEquals(workerRoot.toAbsolutePath().normalize().toString(), stored.get("data_root").asText());

    QueryWorkflowResponse answer = stub.queryWorkflow(QueryWorkflowRequest.newBuilder()
        .setNamespace("default")
        .setExecution(WorkflowExecution.newBuilder().setWorkflowId("plain"))
        .setQuery(WorkflowQuery.newBuilder().setQueryType("status"))
        .build());
    Payload result = answer.getQueryResult().getPayloads(0);
    assertEquals("json/plain", result.getMetadataOrThrow("encoding").toString(StandardCharsets.UTF_8));
    JsonNode status = JSON.readTree(result.getData().toStringUtf8());
    assertEquals("plain", status.get("run_id").asText());
    assertTrue(status.has("phase"), status.toString());

    var listed = stub.listWorkflowExecutions(ListWorkflowExecutionsRequest.newBuilder()
        .setNamespace("default").setQuery("WorkflowType = 'SelfLengthenRun' AND ExecutionStatus = 'Running'").build());
    assertTrue(listed.getExecutionsList().stream()
        .map(WorkflowExecutionInfo::getExecution).anyMatch(e -> e.getWorkflowId().equals("plain")), listed.toString());
    var byId = stub.listWorkflowExecutions(ListWorkflowExecutionsRequest.newBuilder()
        .setNamespace("default").setQuery("WorkflowId=\"plain\"").build());
    assertEquals(1, byId.getExecutionsCount());
    assertTrue(stub.countWorkflowExecutions(CountWorkflowExecutionsRequest.newBuilder()
        .setNamespace("default").setQuery("").build()).getCount() >= 1);
    var all = stub.listWorkflowExecutions(ListWorkflowExecutionsRequest.newBuilder().setNamespace("default").build());
    assertTrue(all.getExecutionsCount() >= 1);
    StatusRuntimeException unsupported = org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class,
        () -> stub.countWorkflowExecutions(CountWorkflowExecutionsRequest.newBuilder()
            .setNamespace("default").setQuery("StartTime > '2020-01-01'").build()));
    assertEquals(io.grpc.Status.Code.INVALID_ARGUMENT, unsupported.getStatus().getCode());

    stub.terminateWorkflowExecution(TerminateWorkflowExecutionRequest.newBuilder()
        .setNamespace("default").setWorkflowExecution(WorkflowExecution.newBuilder().setWorkflowId("plain"))
        .setReason("test over").build());
    assertEquals(0, stub.countWorkflowExecutions(CountWorkflowExecutionsRequest.newBuilder()
        .setNamespace("default").setQuery("WorkflowId = 'plain' AND ExecutionStatus = 'Running'").build()).getCount());
  }
}
