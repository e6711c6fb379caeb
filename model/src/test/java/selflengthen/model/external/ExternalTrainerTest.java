package selflengthen.model.external;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import selflengthen.model.api.SftExample;
import selflengthen.model.api.TrainingConfig;
import selflengthen.model.api.TrainingJob;
import selflengthen.model.api.TrainingProgress;
import selflengthen.model.api.TrainingReport;

/** Runs the trainer against a real child process: a bash stand-in for llamafactory-cli. */
@Tag("integration")
class ExternalTrainerTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  private static String command() throws URISyntaxException {
    Path script = Path.of(ExternalTrainerTest.class.getResource("fake-llamafactory.sh").toURI());
    return "bash '" + script + "' train {config}";
  }

  private static TrainingConfig config(int checkpointEvery) {
    return new TrainingConfig(
        false,
        4,
        8f,
        0.05f,
        List.of("q_proj", "v_proj"),
        1e-4f,
        3f,
        "cosine",
        0.1f,
        2048,
        1,
        2,
        0f,
        checkpointEvery,
        7L);
  }

  private TrainingJob job(int examples, int checkpointEvery) {
    List<SftExample> rows =
        IntStream.range(0, examples)
            .mapToObj(
                i ->
                    new SftExample(
                        "write story " + i,
                        i == 0 ? "about cats" : "",
                        "Once upon a time " + i + "."))
            .toList();
    return new TrainingJob(
        tmp.resolve("base"),
        null,
        tmp.resolve("adapter"),
        tmp.resolve("ckpt"),
        rows,
        config(checkpointEvery));
  }

  private static ExternalTrainer trainer(Map<String, String> environment)
      throws URISyntaxException {
    return new ExternalTrainer(
        ExternalTrainerConfig.of(command(), "qwen").withEnvironment(environment));
  }

  @Test
  void runsTheCommandReportsProgressAndFindsTheAdapter() throws Exception {
    List<TrainingProgress> steps = Collections.synchronizedList(new ArrayList<>());
    TrainingJob job = job(4, 5);

    TrainingReport report = trainer(Map.of()).train(job, steps::add);

    assertEquals(12, steps.size(), "one progress report per logged step: " + steps);
    for (int i = 0; i < steps.size(); i++) {
      TrainingProgress p = steps.get(i);
      assertEquals(i + 1, p.step());
      assertEquals(12, p.totalSteps());
      assertEquals(2.0 / (i + 1), p.loss(), 1e-4);
      assertEquals(1e-4, p.learningRate(), 1e-9);
      assertEquals((i + 1) / 4.0, p.epoch(), 0.01);
    }
    assertEquals(12, report.steps());
    assertEquals(2.0, report.firstLoss(), 1e-9);
    assertEquals(2.0 / 12, report.finalLoss(), 1e-4);
    assertEquals(4, report.examples());
    assertFalse(report.resumedFromCheckpoint());
    assertEquals(job.outputDir(), report.outputDir());

    JsonNode adapterConfig = JSON.readTree(job.outputDir().resolve("adapter_config.json").toFile());
    assertEquals(4, adapterConfig.get("r").asInt(), "rank read from the YAML");
    assertEquals(8, adapterConfig.get("lora_alpha").asInt());
    assertEquals("q_proj,v_proj", adapterConfig.get("target_modules").asText());
    assertSafetensorsWellFormed(job.outputDir().resolve("adapter_model.safetensors"), 4);

    Path jobDir = job.checkpointDir().resolve("job");
    JsonNode yaml = new YAMLMapper().readTree(jobDir.resolve("train.yaml").toFile());
    assertEquals("sft", yaml.get("stage").asText());
    assertTrue(yaml.get("do_train").asBoolean());
    assertEquals("lora", yaml.get("finetuning_type").asText());
    assertEquals("qwen", yaml.get("template").asText());
    assertEquals(1e-4, yaml.get("learning_rate").asDouble(), 1e-12);
    assertTrue(yaml.get("learning_rate").isNumber(), "learning_rate must stay a YAML number");
    assertEquals(3.0, yaml.get("num_train_epochs").asDouble());
    assertEquals(2, yaml.get("gradient_accumulation_steps").asInt());
    assertEquals(5, yaml.get("save_steps").asInt());
    assertTrue(yaml.get("bf16").asBoolean());
    assertFalse(yaml.has("resume_from_checkpoint"));
    assertFalse(yaml.has("adapter_name_or_path"));
    assertEquals(tmp.resolve("base").toString(), yaml.get("model_name_or_path").asText());

    JsonNode rows = JSON.readTree(jobDir.resolve("data/selflengthen_sft.json").toFile());
    assertEquals(4, rows.size());
    assertEquals("write story 0\n\nabout cats", rows.get(0).get("instruction").asText());
    assertEquals("", rows.get(0).get("input").asText());
    assertEquals("Once upon a time 1.", rows.get(1).get("output").asText());
    JsonNode info = JSON.readTree(jobDir.resolve("data/dataset_info.json").toFile());
    assertEquals("selflengthen_sft.json", info.path("selflengthen_sft").path("file_name").asText());
    assertTrue(
        Files.readString(jobDir.resolve("train.log")).contains("Total optimization steps = 12"));
  }

  @Test
  void aRetryAfterAKillResumesFromTheLastCheckpoint() throws Exception {
    TrainingJob job = job(4, 2);
    ExternalTrainer trainer = trainer(Map.of("FAKE_STEP_SECONDS", "0.15"));
    List<TrainingProgress> firstRun = Collections.synchronizedList(new ArrayList<>());
    CountDownLatch pastCheckpoint = new CountDownLatch(1);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread activity =
        new Thread(
            () -> {
              try {
                trainer.train(
                    job,
                    p -> {
                      firstRun.add(p);
                      if (p.step() >= 5) {
                        pastCheckpoint.countDown();
                      }
                    });
              } catch (Throwable t) {
                failure.set(t);
              }
            });
    activity.start();
    assertTrue(pastCheckpoint.await(20, TimeUnit.SECONDS), "training reached step 5: " + firstRun);
    activity.interrupt(); // what cancelling the activity does
    activity.join(15_000);
    assertFalse(activity.isAlive());
    assertTrue(failure.get() instanceof ExternalTrainingException, "got " + failure.get());
    assertTrue(failure.get().getMessage().contains("cancelled"), failure.get().getMessage());

    long pid =
        Long.parseLong(
            Files.readString(job.checkpointDir().resolve("job/fake-trainer.pid")).strip());
    assertFalse(
        ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "trainer process killed");
    Path output = job.checkpointDir().resolve("output");
    assertTrue(Files.isDirectory(output.resolve("checkpoint-4")));
    Thread.sleep(400); // a survivor would write checkpoint-6 within two more steps
    assertFalse(Files.exists(output.resolve("checkpoint-6")), "nothing trains after the kill");
    assertFalse(Files.exists(job.outputDir().resolve("adapter_config.json")));

    List<TrainingProgress> secondRun = Collections.synchronizedList(new ArrayList<>());
    TrainingReport report = trainer.train(job, secondRun::add);

    assertTrue(report.resumedFromCheckpoint());
    assertEquals(5, secondRun.get(0).step(), "continues after checkpoint-4: " + secondRun);
    assertEquals(12, secondRun.get(secondRun.size() - 1).step());
    assertEquals(8, secondRun.size());
    assertEquals(12, report.steps());
    assertEquals(2.0, report.firstLoss(), 1e-9, "first loss comes from the whole history");
    JsonNode yaml =
        new YAMLMapper().readTree(job.checkpointDir().resolve("job/train.yaml").toFile());
    assertEquals(
        output.resolve("checkpoint-4").toString(), yaml.get("resume_from_checkpoint").asText());
    assertTrue(
        Files.readString(job.checkpointDir().resolve("job/train.log"))
            .contains("Continuing training from checkpoint"));
    assertSafetensorsWellFormed(job.outputDir().resolve("adapter_model.safetensors"), 4);
  }

  @Test
  void aFailingCommandReportsTheTailOfItsLog() throws Exception {
    TrainingJob job = job(3, 50);
    ExternalTrainingException e =
        assertThrows(
            ExternalTrainingException.class,
            () -> trainer(Map.of("FAKE_FAIL_AT_STEP", "2")).train(job, p -> {}));
    assertTrue(e.getMessage().contains("exited with code 1"), e.getMessage());
    assertTrue(e.getMessage().contains("CUDA out of memory at step 2"), e.getMessage());
    assertTrue(
        e.getMessage().contains("{'loss': 2.0000"),
        "tail holds the lines before: " + e.getMessage());
  }

  @Test
  void aListenerThatGivesUpKillsTheChild() throws Exception {
    TrainingJob job = job(4, 50);
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () ->
                trainer(Map.of("FAKE_STEP_SECONDS", "0.1"))
                    .train(
                        job,
                        p -> {
                          throw new IllegalStateException("activity cancelled");
                        }));
    assertEquals("activity cancelled", e.getMessage());
    long pid =
        Long.parseLong(
            Files.readString(job.checkpointDir().resolve("job/fake-trainer.pid")).strip());
    assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
  }

  @Test
  void aMissingCommandAndAMissingAdapterFailClearly() throws Exception {
    ExternalTrainingException notStarted =
        assertThrows(
            ExternalTrainingException.class,
            () ->
                new ExternalTrainer(
                        ExternalTrainerConfig.of("/nonexistent/llamafactory-cli train", "qwen"))
                    .train(job(1, 50), p -> {}));
    assertTrue(notStarted.getMessage().contains("cannot start"), notStarted.getMessage());

    ExternalTrainingException noModel =
        assertThrows(
            ExternalTrainingException.class,
            () ->
                new ExternalTrainer(ExternalTrainerConfig.of("echo {config}", "qwen"))
                    .train(job(1, 50), p -> {}));
    assertTrue(noModel.getMessage().contains("holds no PEFT adapter"), noModel.getMessage());
  }

  /** 8-byte little-endian header length, JSON header, then exactly the tensor bytes it declares. */
  private static void assertSafetensorsWellFormed(Path file, int rank) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    long headerLength = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    JsonNode header =
        JSON.readTree(new String(bytes, 8, (int) headerLength, StandardCharsets.UTF_8));
    JsonNode tensor = header.fields().next().getValue();
    assertNotNull(tensor);
    assertEquals("F32", tensor.get("dtype").asText());
    assertEquals(rank, tensor.get("shape").get(0).asInt());
    long end = tensor.get("data_offsets").get(1).asLong();
    assertEquals(rank * 8 * 4, end);
    assertEquals(8 + headerLength + end, bytes.length);
  }
}
