package selflengthen.workers.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

@Tag("integration")
class ModelCommandsTest {
  static final ObjectMapper JSON = new ObjectMapper();
  @TempDir static Path dir;
  static Path model;

  record Run(int code, String out, String err) {}

  static Run run(Object command, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = new CommandLine(command);
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int code = cl.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  static List<JsonNode> lines(String out) throws Exception {
    List<JsonNode> l = new ArrayList<>();
    for (String s : out.split("\n")) {
      if (!s.isBlank()) {
        l.add(JSON.readTree(s));
      }
    }
    return l;
  }

  @BeforeAll
  static void init() throws Exception {
    model = dir.resolve("tiny");
    Path corpus = dir.resolve("corpus.txt");
    Files.writeString(corpus, "The river runs to the sea. The sea is wide and blue. ".repeat(40));
    Run r = run(new ModelInitCommand(), "--preset", "tiny", "--out", model.toString(), "--seed",
        "3", "--tokenizer-corpus", corpus.toString());
    assertEquals(0, r.code(), r.err());
    JsonNode summary = JSON.readTree(r.out());
    assertEquals("Qwen2ForCausalLM", summary.get("architecture").asText());
    assertTrue(summary.get("parameters").asLong() > 500_000);
    for (String f : List.of("config.json", "model.safetensors", "tokenizer.json",
        "tokenizer_config.json", "generation_config.json")) {
      assertTrue(Files.exists(model.resolve(f)), f);
    }
    assertEquals(2, run(new ModelInitCommand(), "--preset", "tiny", "--out", model.toString())
        .code(), "refuses to overwrite a model");
  }

  @Test
  void trainRunsALlamaFactoryConfigAsLlamafactoryCliWould() throws Exception {
    Path data = Files.createDirectories(dir.resolve("lf-data"));
    StringBuilder rows = new StringBuilder("[");
    for (int i = 0; i < 6; i++) {
      rows.append(i == 0 ? "" : ",").append("{\"instruction\": \"Write about river ").append(i)
          .append(".\", \"input\": \"\", \"output\": \"The river runs to the sea. The sea is wide.\"}");
    }
    Files.writeString(data.resolve("sft.json"), rows.append("]").toString());
    Files.writeString(data.resolve("dataset_info.json"),
        "{\"sft\": {\"file_name\": \"sft.json\", \"formatting\": \"alpaca\"}}");
    Path out = dir.resolve("lf-out");
    Path yaml = dir.resolve("train.yaml");
    Files.writeString(yaml, String.join("\n",
        "model_name_or_path: " + model, "stage: sft", "do_train: true", "finetuning_type: lora",
        "lora_rank: 4", "lora_target: all", "dataset: sft", "dataset_dir: " + data, "cutoff_len: 96",
        "per_device_train_batch_size: 2", "learning_rate: 0.001", "num_train_epochs: 2", "save_steps: 2",
        "output_dir: " + out, "seed: 1", ""));

    java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
    java.io.PrintStream stdout = System.out;
    Run r;
    System.setOut(new java.io.PrintStream(printed, true, java.nio.charset.StandardCharsets.UTF_8));
    try {
      r = run(new TrainCommand(), yaml.toString());
    } finally {
      System.setOut(stdout);
    }
    assertEquals(0, r.code(), r.err());
    String log = printed.toString(java.nio.charset.StandardCharsets.UTF_8);
    // 6 examples in batches of 2 for 2 epochs: 6 steps, one HF-style loss line each.
    assertEquals(6, log.lines().filter(l -> l.startsWith("{'loss': ")).count(), log);
    assertTrue(log.contains("'step': 6}"), log);
    assertTrue(Files.isRegularFile(out.resolve("adapter_config.json")));
    assertTrue(Files.isRegularFile(out.resolve("adapter_model.safetensors")));
    assertEquals(6, JSON.readTree(out.resolve("trainer_state.json").toFile()).get("global_step").asInt());

    assertEquals(2, run(new TrainCommand()).code(), "no config is a usage error");
    assertEquals(1, run(new TrainCommand(), dir.resolve("missing.yaml").toString()).code());
  }

  @Test
  void greedyPromptWithTopLogprobs() throws Exception {
    String[] args = {"--model", model.toString(), "--prompt", "The river", "--chat",
        "--max-new-tokens", "6", "--temperature", "0", "--top-logprobs", "3", "--stop", "zzzz"};
    Run a = run(new GenerateCommand(), args);
    assertEquals(0, a.code(), a.err());
    List<JsonNode> out = lines(a.out());
    assertEquals(1, out.size());
    JsonNode g = out.get(0);
    int n = g.get("token_ids").size();
    assertEquals(n, g.get("completion_tokens").asInt());
    assertTrue(n >= 1 && n <= 6);
    assertEquals(n, g.get("logprobs").size());
    JsonNode step = g.get("logprobs").get(0);
    assertEquals(3, step.get("top").size());
    assertEquals(step.get("token_id").asInt(), step.get("top").get(0).get("token_id").asInt());
    assertTrue(g.get("finish_reason").asText().matches("stop|length"));
    assertEquals(a.out(), run(new GenerateCommand(), args).out(), "greedy is deterministic");
  }

  @Test
  void promptsFileKeepsOrderAndSeeds() throws Exception {
    Path prompts = dir.resolve("p.jsonl");
    Files.writeString(prompts, String.join("\n",
        "{\"id\": \"a\", \"prompt\": \"The sea\"}",
        "{\"id\": \"b\", \"instruction\": \"Describe\", \"input\": \"a river\"}",
        "",
        "{\"id\": \"c\", \"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}], \"prefix\": \"The\"}"));
    String[] args = {"--model", model.toString(), "--prompts", prompts.toString(),
        "--max-new-tokens", "8", "--temperature", "0.9", "--top-k", "20", "--top-p", "0.9",
        "--repetition-penalty", "1.1", "--seed", "5"};
    Run a = run(new GenerateCommand(), args);
    assertEquals(0, a.code(), a.err());
    List<JsonNode> out = lines(a.out());
    assertEquals(List.of("a", "b", "c"), out.stream().map(j -> j.get("id").asText()).toList());
    for (int i = 0; i < 3; i++) {
      assertEquals(i, out.get(i).get("index").asInt());
      assertTrue(out.get(i).get("prompt_tokens").asInt() > 0);
    }
    assertEquals(a.out(), run(new GenerateCommand(), args).out(), "seeded sampling repeats");
  }

  @Test
  void missingModelFailsWithAMessage() {
    Run r = run(new GenerateCommand(), "--model", dir.resolve("nope").toString(), "--prompt", "x");
    assertTrue(r.code() != 0);
    Run usage = run(new GenerateCommand(), "--model", model.toString());
    assertTrue(usage.code() != 0, "a prompt or prompts file is required");
  }
}
