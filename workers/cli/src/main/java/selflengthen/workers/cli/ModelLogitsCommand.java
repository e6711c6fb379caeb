package selflengthen.workers.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import selflengthen.model.inspect.CheckpointLogits;

/**
 * {@code selflengthen model logits}: the engine's logits at every position of a few texts, for
 * a checkpoint alone or with a LoRA adapter, as JSON; what tools/reference/compare_with_transformers.py
 * checks transformers + peft against.
 */
@Command(name = "logits", mixinStandardHelpOptions = true,
    description = "Write the engine's logits at every position of --text (checkpoint, or"
        + " checkpoint + LoRA adapter) as JSON.")
public final class ModelLogitsCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Spec CommandSpec spec;

  @Option(names = "--model", required = true, paramLabel = "DIR",
      description = "Checkpoint directory (Hugging Face layout).")
  Path model;

  @Option(names = "--adapter", paramLabel = "DIR",
      description = "PEFT LoRA adapter directory to apply (default: none).")
  Path adapter;

  @Option(names = "--text", required = true, paramLabel = "TEXT",
      description = "A text to score (repeatable); encoded without special tokens.")
  List<String> texts;

  @Option(names = "--out", required = true, paramLabel = "FILE",
      description = "JSON file to write: model, adapter, and per text its ids and logits.")
  Path out;

  @Override
  public Integer call() throws IOException {
    String problem = !Files.isRegularFile(model.resolve("config.json"))
        ? "--model " + model + " holds no config.json"
        : adapter != null && !Files.isRegularFile(adapter.resolve("adapter_config.json"))
            ? "--adapter " + adapter + " holds no adapter_config.json"
            : texts.stream().anyMatch(String::isBlank) ? "--text must not be blank" : null;
    if (problem != null) {
      spec.commandLine().getErr().println("model logits: " + problem);
      return CommandLine.ExitCode.USAGE;
    }
    System.setProperty("ai.djl.offline", "true");
    List<CheckpointLogits.Case> cases = CheckpointLogits.compute(model, adapter, texts);
    ObjectNode report = JSON.createObjectNode();
    report.put("model", model.toAbsolutePath().toString());
    report.put("adapter", adapter == null ? null : adapter.toAbsolutePath().toString());
    ArrayNode list = report.putArray("cases");
    for (CheckpointLogits.Case c : cases) {
      ObjectNode o = list.addObject();
      o.put("text", c.text());
      ArrayNode ids = o.putArray("ids");
      for (int id : c.ids()) {
        ids.add(id);
      }
      ArrayNode rows = o.putArray("logits");
      for (float[] row : c.logits()) {
        ArrayNode r = rows.addArray();
        for (float v : row) {
          r.add(v);
        }
      }
    }
    if (out.toAbsolutePath().getParent() != null) {
      Files.createDirectories(out.toAbsolutePath().getParent());
    }
    JSON.writeValue(out.toFile(), report);
    ObjectNode summary = JSON.createObjectNode();
    summary.put("out", out.toAbsolutePath().toString());
    summary.put("texts", cases.size());
    summary.put("tokens", cases.stream().mapToInt(c -> c.ids().length).sum());
    spec.commandLine().getOut().println(summary);
    spec.commandLine().getOut().flush();
    return CommandLine.ExitCode.OK;
  }
}
