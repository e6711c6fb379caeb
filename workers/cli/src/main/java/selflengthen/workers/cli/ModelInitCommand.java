package selflengthen.workers.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import selflengthen.model.ModelFactory;
import selflengthen.model.config.ModelConfig;

/**
 * {@code selflengthen model init}: writes a randomly initialised model of the engine's
 * architecture, with a byte-level BPE tokenizer trained by the project, in the Hugging Face
 * layout, and prints a JSON summary.
 */
@Command(name = "init", mixinStandardHelpOptions = true,
    description = "Create a randomly initialised tiny (~1M) or small (~30M) model in HF layout.")
public final class ModelInitCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--preset", required = true, paramLabel = "tiny|small",
      description = "Model shape: tiny (about 1M parameters, for tests) or small (about 30M).")
  String preset;

  @Option(names = "--out", required = true, paramLabel = "DIR",
      description = "Directory to write the checkpoint to (Hugging Face layout).")
  Path out;

  @Option(names = "--seed", paramLabel = "S", defaultValue = "0",
      description = "Seed of the random weights (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--tokenizer-corpus", paramLabel = "FILE",
      description = "Text to train the tokenizer on (default: a built-in sample).")
  Path corpus;

  @Override
  public Integer call() throws IOException {
    if (Files.exists(out.resolve("config.json"))) {
      spec.commandLine().getErr().println(out + " already holds a model; choose another --out");
      return 2;
    }
    ModelConfig c = ModelFactory.init(preset, out, seed, corpus);
    ObjectNode n = new ObjectMapper().createObjectNode();
    n.put("out", out.toAbsolutePath().toString());
    n.put("preset", preset);
    n.put("architecture", c.architecture());
    n.put("parameters", c.parameterCount());
    n.put("vocab_size", c.vocabSize());
    n.put("hidden_size", c.hiddenSize());
    n.put("layers", c.numLayers());
    n.put("seed", seed);
    spec.commandLine().getOut().println(n.toString());
    spec.commandLine().getOut().flush();
    return 0;
  }
}
