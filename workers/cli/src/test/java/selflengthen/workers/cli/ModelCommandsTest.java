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
  void convertHalvesTheCheckpointAndLogitsAgreeWithGeneration() throws Exception {
    Path bf16 = dir.resolve("tiny-bf16");
    Run c = run(new ModelConvertCommand(), "--model", model.toString(), "--dtype", "bfloat16",
        "--out", bf16.toString());
    assertEquals(0, c.code(), c.err());
    long f32Bytes = Files.size(model.resolve("model.safetensors"));
    long bf16Bytes = Files.size(bf16.resolve("model.safetensors"));
    assertTrue(Math.abs(bf16Bytes * 2 - f32Bytes) < 64 * 1024, f32Bytes + " vs " + bf16Bytes);
    assertEquals("bfloat16",
        JSON.readTree(bf16.resolve("config.json").toFile()).get("torch_dtype").asText());
    assertTrue(Files.exists(bf16.resolve("tokenizer.json")));

    Path f32Json = dir.resolve("logits-f32.json");
    Path bf16Json = dir.resolve("logits-bf16.json");
    String text = "The river runs to the sea";
    Run l = run(new ModelLogitsCommand(), "--model", model.toString(), "--text", text,
        "--text", "The sea", "--out", f32Json.toString());
    assertEquals(0, l.code(), l.err());
    assertEquals(2, JSON.readTree(l.out()).get("texts").asInt());
    assertEquals(0, run(new ModelLogitsCommand(), "--model", bf16.toString(), "--text", text,
        "--text", "The sea", "--out", bf16Json.toString()).code());
    JsonNode f32 = JSON.readTree(f32Json.toFile()).get("cases").get(0);
    JsonNode half = JSON.readTree(bf16Json.toFile()).get("cases").get(0);
    assertEquals(f32.get("ids"), half.get("ids"));
    int positions = f32.get("ids").size();
    assertEquals(positions, f32.get("logits").size());
    JsonNode last = f32.get("logits").get(positions - 1);
    int argmax = 0;
    double worst = 0;
    for (int v = 0; v < last.size(); v++) {
      argmax = last.get(v).asDouble() > last.get(argmax).asDouble() ? v : argmax;
      for (int p = 0; p < positions; p++) {
        double a = f32.get("logits").get(p).get(v).asDouble();
        worst = Math.max(worst, Math.abs(a - half.get("logits").get(p).get(v).asDouble()));
      }
    }
    // bfloat16 keeps 8 bits of mantissa: the copy moves logits a little, not a lot.
    assertTrue(worst > 0 && worst < 0.1, "bf16 copy moved a logit by " + worst);
    Run g = run(new GenerateCommand(), "--model", model.toString(), "--prompt", text,
        "--max-new-tokens", "1", "--temperature", "0");
    assertEquals(0, g.code(), g.err());
    assertEquals(argmax, lines(g.out()).get(0).get("token_ids").get(0).asInt(),
        "greedy generation picks the last position's argmax");

    Run badDtype = run(new ModelConvertCommand(), "--model", model.toString(), "--dtype", "int8",
        "--out", dir.resolve("x").toString());
    assertEquals(2, badDtype.code());
    assertTrue(badDtype.err().contains("--dtype must be float32, float16 or bfloat16"),
        badDtype.err());
    assertEquals(2, run(new ModelConvertCommand(), "--model", model.toString(), "--dtype",
        "float16", "--out", bf16.toString()).code(), "refuses to overwrite a model");
    Run noAdapter = run(new ModelLogitsCommand(), "--model", model.toString(), "--adapter",
        dir.resolve("nope").toString(), "--text", "x", "--out", dir.resolve("y.json").toString());
    assertEquals(2, noAdapter.code());
    assertTrue(noAdapter.err().contains("holds no adapter_config.json"), noAdapter.err());
  }

  @Test
  void missingModelFailsWithAMessage() {
    Run r = run(new GenerateCommand(), "--model", dir.resolve("nope").toString(), "--prompt", "x");
    assertTrue(r.code() != 0);
    Run usage = run(new GenerateCommand(), "--model", model.toString());
    assertTrue(usage.code() != 0, "a prompt or prompts file is required");
  }
}
