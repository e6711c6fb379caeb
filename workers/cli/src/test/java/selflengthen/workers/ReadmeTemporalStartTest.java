package selflengthen.workers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.util.JsonFormat;
import io.temporal.api.common.v1.Payload;
import io.temporal.api.common.v1.Payloads;
import io.temporal.api.common.v1.WorkflowType;
import io.temporal.api.taskqueue.v1.TaskQueue;
import io.temporal.api.workflowservice.v1.StartWorkflowExecutionRequest;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import selflengthen.spec.SpecValidator;
import selflengthen.v1.RunResult;
import selflengthen.v1.RunSpec;
import selflengthen.workers.deploy.RepoFiles;
import selflengthen.workflows.SelfLengthenRun;
import selflengthen.workflows.TaskQueues;

/**
 * The documented {@code temporal workflow start} line, taken from between
 * {@code <!-- temporal-start-input -->} markers in README.md or a file under docs/, started the way the Temporal CLI starts it (one
 * json/plain payload) and decoded into a RunSpec that passes structural validation.
 */
@Tag("integration")
class ReadmeTemporalStartTest {
  static final Pattern BLOCK = Pattern.compile(
      "<!-- temporal-start-input -->\\s*```\\s*(.*?)```\\s*<!-- /temporal-start-input -->", Pattern.DOTALL);
  static final Pattern FLAG = Pattern.compile("--([a-z-]+)\\s+('([^']*)'|(\\S+))");

  static Map<String, String> readmeStartLine() throws Exception {
    Matcher block = null;
    for (Path doc : RepoFiles.docs()) {
      block = BLOCK.matcher(Files.readString(doc));
      if (block.find()) {
        break;
      }
      block = null;
    }
    assertTrue(block != null, "no <!-- temporal-start-input --> block in README.md or docs/");
    String command = block.group(1).replaceAll("\\\\\\R\\s*", " ").strip();
    assertTrue(command.startsWith("temporal workflow start "), command);
    Map<String, String> flags = new LinkedHashMap<>();
    Matcher m = FLAG.matcher(command);
    while (m.find()) {
      flags.put(m.group(1), m.group(3) != null ? m.group(3) : m.group(4));
    }
    return flags;
  }

  @Test
  void theReadmeSpecStartsAndDecodesIntoAValidRunSpec() throws Exception {
    Map<String, String> flags = readmeStartLine();
    assertEquals(SelfLengthenRun.TYPE, flags.get("type"));
    assertEquals(TaskQueues.CONTROL, flags.get("task-queue"));
    String json = flags.get("input");

    // Every field the README names exists in spec.proto (the worker's parser would skip a typo).
    RunSpec.Builder strict = RunSpec.newBuilder();
    JsonFormat.parser().merge(json, strict);
    assertEquals(flags.get("workflow-id"), strict.getRunId(), "the workflow id is the run id");
    assertTrue(SpecValidator.structuralProblems(selflengthen.spec.SpecDefaults.resolve(strict.build())).isEmpty(),
        SpecValidator.structuralProblems(selflengthen.spec.SpecDefaults.resolve(strict.build())).toString());

    TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance(TestEnvironmentOptions.newBuilder()
            .setWorkerFactoryOptions(selflengthen.workers.WorkerHost.factoryOptions())
        .setWorkflowClientOptions(WorkflowClientOptions.newBuilder()
            .setDataConverter(selflengthen.payload.Payloads.dataConverter())
            .build())
        .build());
    try {
      env.newWorker(flags.get("task-queue")).registerWorkflowImplementationTypes(ValidatingRun.class);
      env.start();
      Payload input = Payload.newBuilder()
          .putMetadata("encoding", ByteString.copyFromUtf8("json/plain"))
          .setData(ByteString.copyFromUtf8(json))
          .build();
      env.getWorkflowServiceStubs().blockingStub().startWorkflowExecution(StartWorkflowExecutionRequest.newBuilder()
          .setNamespace(env.getNamespace())
          .setWorkflowId(flags.get("workflow-id"))
          .setWorkflowType(WorkflowType.newBuilder().setName(flags.get("type")))
          .setTaskQueue(TaskQueue.newBuilder().setName(flags.get("task-queue")))
          .setInput(Payloads.newBuilder().addPayloads(input))
          .setRequestId(UUID.randomUUID().toString())
          .build());
      // ValidatingRun fails the run with every structural problem; it answers what it decoded.
      RunResult result = env.getWorkflowClient().newUntypedWorkflowStub(flags.get("workflow-id"))
          .getResult(RunResult.class);
      assertEquals(strict.getRunId(), result.getRunId());
      assertEquals(strict.getRounds(), result.getRoundsCount());
      assertEquals(strict.getSelfInstruct().getInstructionsPerRound(), result.getRounds(0).getInstructionsMade());
    } finally {
      env.close();
    }
  }
}
