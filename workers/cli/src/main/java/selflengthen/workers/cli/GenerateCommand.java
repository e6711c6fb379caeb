package selflengthen.workers.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import selflengthen.model.config.EngineOptions;
import selflengthen.model.Models;
import selflengthen.model.api.ChatMessage;
import selflengthen.model.api.FinishReason;
import selflengthen.model.api.GenerationRequest;
import selflengthen.model.api.SamplingParams;
import selflengthen.model.config.GenerationDefaults;
import selflengthen.model.generate.DjlLanguageModel;
import selflengthen.model.generate.GenerationOptions;
import selflengthen.model.generate.GenerationOutput;
import selflengthen.model.generate.TokenLogprobs;

/**
 * {@code selflengthen generate}: runs prompts through a local checkpoint (all at once, batched by
 * the engine) and prints one JSON object per prompt, in input order.
 */
@Command(name = "generate", mixinStandardHelpOptions = true,
    description = "Generate with a local Hugging Face checkpoint (Qwen2 / Llama) and print JSON lines.")
public final class GenerateCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Spec CommandSpec spec;

  @Option(names = "--model", required = true, paramLabel = "DIR",
      description = "Checkpoint directory (config.json, model.safetensors, tokenizer.json).")
  Path model;

  @Option(names = "--adapter", paramLabel = "DIR", description = "PEFT LoRA adapter directory.")
  Path adapter;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Input input;

  static final class Input {
    @Option(names = "--prompt", paramLabel = "TEXT", description = "One prompt.")
    String prompt;

    @Option(names = "--prompts", paramLabel = "FILE.jsonl", description = "One JSON object per"
        + " line with \"prompt\", or \"instruction\" (+\"input\"), or \"messages\"; optional"
        + " \"prefix\" and \"id\".")
    Path prompts;
  }

  @Option(names = "--chat", description = "Wrap prompts as a user turn with the chat template.")
  boolean chat;

  @Option(names = "--prefix", paramLabel = "TEXT",
      description = "Forced start of every answer (the model continues it; not repeated in text).")
  String prefix = "";

  @Option(names = "--max-new-tokens", paramLabel = "N",
      description = "Default: generation_config.json's max_new_tokens, else 256.")
  Integer maxNewTokens;

  @Option(names = "--temperature", paramLabel = "T", description = "0 is greedy. Default:"
      + " generation_config.json (greedy when it does not sample).")
  Float temperature;

  @Option(names = "--top-k", paramLabel = "K", description = "0 disables.")
  Integer topK;

  @Option(names = "--top-p", paramLabel = "P", description = "1 disables.")
  Float topP;

  @Option(names = "--repetition-penalty", paramLabel = "R", description = "1 disables.")
  Float repetitionPenalty;

  @Option(names = "--seed", paramLabel = "S", defaultValue = "0",
      description = "Prompt i samples with seed S+i.")
  long seed;

  @Option(names = "--stop", paramLabel = "STR", description = "Stop string (repeatable).")
  List<String> stop = new ArrayList<>();

  @Option(names = "--top-logprobs", paramLabel = "K", defaultValue = "0",
      description = "Report the K most likely tokens with log-probs at every step.")
  int topLogprobs;

  @Option(names = "--device", paramLabel = "D", defaultValue = "cpu",
      description = "cpu or cuda:N.")
  String device;

  @Option(names = "--max-batch-size", paramLabel = "N", defaultValue = "16",
      description = "Requests the engine decodes at once (default ${DEFAULT-VALUE}).")
  int maxBatchSize;

  @Option(names = "--max-seq-len", paramLabel = "N", defaultValue = "0",
      description = "Tokens per sequence (0: the model's limit, at most 4096).")
  int maxSequenceLength;

  private record Item(String id, String prompt, String prefix) {}

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    EngineOptions opts = EngineOptions.defaults().withDevice(device)
        .withMaxBatchSize(maxBatchSize).withMaxSequenceLength(maxSequenceLength);
    try (DjlLanguageModel m = Models.open(model, opts)) {
      List<Item> items = items(m);
      GenerationDefaults defaults = m.checkpoint().generation();
      SamplingParams base = sampling(defaults);
      int maxNew = maxNewTokens != null ? maxNewTokens
          : defaults.maxNewTokens() != null ? defaults.maxNewTokens() : 256;
      String adapterDir = adapter == null ? null : adapter.toString();
      List<CompletableFuture<GenerationOutput>> futures = new ArrayList<>();
      for (int i = 0; i < items.size(); i++) {
        Item it = items.get(i);
        futures.add(m.submit(new GenerationRequest(it.prompt(), it.prefix(),
            base.withSeed(seed + i), maxNew, stop, adapterDir),
            new GenerationOptions(topLogprobs, false)));
      }
      for (int i = 0; i < items.size(); i++) {
        out.println(JSON.writeValueAsString(toJson(m, i, items.get(i), futures.get(i).join())));
        out.flush();
      }
    }
    return 0;
  }

  private SamplingParams sampling(GenerationDefaults d) {
    SamplingParams def = d.sampling(seed);
    float t = temperature != null ? temperature : def.temperature();
    return new SamplingParams(t,
        topK != null ? topK : def.topK(),
        topP != null ? topP : def.topP(),
        repetitionPenalty != null ? repetitionPenalty : def.repetitionPenalty(),
        seed);
  }

  private List<Item> items(DjlLanguageModel m) throws IOException {
    List<Item> out = new ArrayList<>();
    if (input.prompt != null) {
      out.add(new Item(null, render(m, input.prompt), prefix));
      return out;
    }
    int line = 0;
    for (String text : Files.readAllLines(input.prompts)) {
      line++;
      if (text.isBlank()) {
        continue;
      }
      JsonNode n = JSON.readTree(text);
      String id = n.hasNonNull("id") ? n.get("id").asText() : null;
      String p = n.hasNonNull("prefix") ? n.get("prefix").asText() : prefix;
      if (n.has("messages")) {
        List<ChatMessage> msgs = new ArrayList<>();
        n.get("messages").forEach(x -> msgs.add(new ChatMessage(x.path("role").asText(),
            x.path("content").asText())));
        out.add(new Item(id, m.chatTemplate().render(msgs, true), p));
      } else if (n.has("prompt")) {
        out.add(new Item(id, render(m, n.get("prompt").asText()), p));
      } else if (n.has("instruction")) {
        String in = n.path("input").asText("");
        String user = in.isEmpty() ? n.get("instruction").asText()
            : n.get("instruction").asText() + "\n\n" + in;
        out.add(new Item(id, m.chatTemplate().render(List.of(ChatMessage.user(user)), true), p));
      } else {
        throw new IllegalArgumentException(input.prompts + " line " + line
            + ": expected \"prompt\", \"instruction\" or \"messages\"");
      }
    }
    return out;
  }

  private String render(DjlLanguageModel m, String text) {
    return chat ? m.chatTemplate().render(List.of(ChatMessage.user(text)), true) : text;
  }

  private ObjectNode toJson(DjlLanguageModel m, int index, Item item, GenerationOutput g) {
    ObjectNode n = JSON.createObjectNode();
    n.put("index", index);
    if (item.id() != null) {
      n.put("id", item.id());
    }
    n.put("text", g.text());
    ArrayNode ids = n.putArray("token_ids");
    for (int t : g.tokenIds()) {
      ids.add(t);
    }
    n.put("finish_reason", g.finishReason() == FinishReason.STOP ? "stop" : "length");
    n.put("prompt_tokens", g.promptTokens());
    n.put("completion_tokens", g.tokenIds().length);
    if (topLogprobs > 0) {
      ArrayNode steps = n.putArray("logprobs");
      for (TokenLogprobs lp : g.logprobs()) {
        ObjectNode s = steps.addObject();
        s.put("token_id", lp.token());
        s.put("token", m.tokenizer().decode(new int[] {lp.token()}, false));
        s.put("logprob", lp.logprob());
        ArrayNode top = s.putArray("top");
        for (int k = 0; k < lp.topTokens().length; k++) {
          ObjectNode t = top.addObject();
          t.put("token_id", lp.topTokens()[k]);
          t.put("token", m.tokenizer().decode(new int[] {lp.topTokens()[k]}, false));
          t.put("logprob", lp.topLogprobs()[k]);
        }
      }
    }
    return n;
  }
}
