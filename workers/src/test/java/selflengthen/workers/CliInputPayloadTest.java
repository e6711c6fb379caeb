package selflengthen.workers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.temporal.api.common.v1.Payload;
import io.temporal.api.common.v1.Payloads;
import io.temporal.api.common.v1.WorkflowType;
import io.temporal.api.taskqueue.v1.TaskQueue;
import io.temporal.api.workflowservice.v1.StartWorkflowExecutionRequest;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowFailedException;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import selflengthen.v1.RunResult;
import selflengthen.workflows.SelfLengthenRun;
import selflengthen.workflows.TaskQueues;

/**
 * A run started the way the Temporal CLI starts it,
 * {@code temporal workflow start --type SelfLengthenRun --task-queue selflengthen-control --input '{...}'}:
 * one json/plain payload holding the JSON text, and no second argument (the state).
 */
@Tag("integration")
class CliInputPayloadTest {
  private TestWorkflowEnvironment env;

  @BeforeEach
  void start() {
    env = TestWorkflowEnvironment.newInstance(TestEnvironmentOptions.newBuilder()
            .setWorkerFactoryOptions(selflengthen.workers.WorkerHost.factoryOptions())
        .setWorkflowClientOptions(WorkflowClientOptions.newBuilder()
            .setDataConverter(selflengthen.payload.Payloads.dataConverter())
            .build())
        .build());
    env.newWorker(TaskQueues.CONTROL).registerWorkflowImplementationTypes(
        selflengthen.workflows.WorkflowImplementations.options(), ValidatingRun.class);
    env.start();
  }

  @AfterEach
  void stop() {
    env.close();
  }

  /** Starts SelfLengthenRun through the gRPC API with one hand-made json/plain payload. */
  private String startLikeTheTemporalCli(String workflowId, String json) {
    Payload input = Payload.newBuilder()
        .putMetadata("encoding", ByteString.copyFromUtf8("json/plain"))
        .setData(ByteString.copyFromUtf8(json))
        .build();
    env.getWorkflowServiceStubs().blockingStub().startWorkflowExecution(
        StartWorkflowExecutionRequest.newBuilder()
            .setNamespace(env.getNamespace())
            .setWorkflowId(workflowId)
            .setWorkflowType(WorkflowType.newBuilder().setName(SelfLengthenRun.TYPE))
            .setTaskQueue(TaskQueue.newBuilder().setName(TaskQueues.CONTROL))
            .setInput(Payloads.newBuilder().addPayloads(input))
            .setRequestId(UUID.randomUUID().toString())
            .build());
    return workflowId;
  }

  @Test
  void plainJsonFromTheTemporalCliIsDecodedAndValidated() {
    String id = startLikeTheTemporalCli("r1",
        "{\"run_id\":\"r1\",\"rounds\":2,\"models\":{\"base_model\":\"/m\"},"
            + "\"selfInstruct\":{\"seed_file\":\"/seeds.jsonl\",\"instructionsPerRound\":7},"
            + "\"sampling\":{\"temperature\":0.5}}");
    RunResult result = env.getWorkflowClient().newUntypedWorkflowStub(id).getResult(RunResult.class);
    assertEquals("r1", result.getRunId());
    assertEquals(2, result.getRoundsCount());
    assertEquals(7, result.getRounds(1).getInstructionsMade());
  }

  @Test
  void aSpecWithThreeBadFieldsFailsNamingAllThree() {
    String id = startLikeTheTemporalCli("bad",
        "{\"run_id\":\"bad/id\",\"rounds\":0,\"sampling\":{\"top_p\":1.5},"
            + "\"models\":{\"base_model\":\"/m\"},\"self_instruct\":{\"seed_file\":\"/s\"}}");
    WorkflowFailedException e = assertThrows(WorkflowFailedException.class,
        () -> env.getWorkflowClient().newUntypedWorkflowStub(id).getResult(RunResult.class));
    ApplicationFailure failure = assertInstanceOf(ApplicationFailure.class, e.getCause());
    assertTrue(failure.isNonRetryable());
    String message = failure.getOriginalMessage();
    assertTrue(message.startsWith("invalid run spec (3 problems)"), message);
    assertTrue(message.contains("run_id: 'bad/id'"), message);
    assertTrue(message.contains("rounds: must be at least 1 (got 0)"), message);
    assertTrue(message.contains("sampling.top_p: must be in (0, 1] (got 1.5)"), message);
  }

  @Test
  void aTypoAndAWrongTypeFailTheWorkflowAtOnceNamingTheFields() {
    long t0 = System.nanoTime();
    String id = startLikeTheTemporalCli("typo",
        "{\"run_id\":\"typo\",\"rounds\":\"three\",\"self_instruct\":{\"instructions_per_rond\":4}}");
    WorkflowFailedException e = assertThrows(WorkflowFailedException.class,
        () -> env.getWorkflowClient().newUntypedWorkflowStub(id).getResult(RunResult.class));
    assertTrue(System.nanoTime() - t0 < 10_000_000_000L, "failed within seconds");
    ApplicationFailure failure = assertInstanceOf(ApplicationFailure.class, e.getCause());
    assertTrue(failure.isNonRetryable());
    String message = failure.getOriginalMessage();
    assertTrue(message.startsWith("invalid RunSpec (2 problems)"), message);
    assertTrue(message.contains("rounds: 'three' is not a number"), message);
    assertTrue(message.contains("self_instruct.instructions_per_rond: unknown field (did you mean instructions_per_round?)"), message);
  }
}
