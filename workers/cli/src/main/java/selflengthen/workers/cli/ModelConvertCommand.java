package selflengthen.workers.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import selflengthen.model.Models;
import selflengthen.model.io.DType;

/**
 * {@code selflengthen model convert}: a copy of a checkpoint with its weights stored in another
 * dtype (a bfloat16 copy is half the size of a float32 one, for sharing or carrying).
 */
@Command(name = "convert", mixinStandardHelpOptions = true,
    description = "Copy a checkpoint with its weights stored as float32, float16 or bfloat16.")
public final class ModelConvertCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--model", required = true, paramLabel = "DIR",
      description = "Checkpoint directory (Hugging Face layout).")
  Path model;

  @Option(names = "--dtype", required = true, paramLabel = "float32|float16|bfloat16",
      description = "How the copy stores its weights.")
  String dtype;

  @Option(names = "--out", required = true, paramLabel = "DIR",
      description = "Directory to write the copy to (must not hold a model).")
  Path out;

  @Override
  public Integer call() throws IOException {
    DType target;
    try {
      target = DType.fromTorchName(dtype);
    } catch (IllegalArgumentException e) {
      target = null;
    }
    String problem = !Files.isRegularFile(model.resolve("config.json"))
        ? "--model " + model + " holds no config.json"
        : target == null ? "--dtype must be float32, float16 or bfloat16, not '" + dtype + "'"
            : Files.exists(out.resolve("config.json"))
                ? out + " already holds a model; choose another --out" : null;
    if (problem != null) {
      spec.commandLine().getErr().println("model convert: " + problem);
      return CommandLine.ExitCode.USAGE;
    }
    System.setProperty("ai.djl.offline", "true");
    Models.convert(model, out, target);
    ObjectNode n = new ObjectMapper().createObjectNode();
    n.put("out", out.toAbsolutePath().toString());
    n.put("dtype", target.torchName());
    spec.commandLine().getOut().println(n);
    spec.commandLine().getOut().flush();
    return CommandLine.ExitCode.OK;
  }
}
