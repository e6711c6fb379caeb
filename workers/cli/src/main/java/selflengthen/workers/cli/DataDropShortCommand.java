package selflengthen.workers.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import selflengthen.method.DropShort;
import selflengthen.method.ShardSeeds;
import selflengthen.method.WordCount;

/**
 * {@code data drop-short}: the drop-short rule of the run's stage ({@link DropShort}, ranking by
 * characters and drawing with {@link ShardSeeds#random} of the seed, in row order) on a JSONL file.
 */
@Command(
    name = "drop-short",
    mixinStandardHelpOptions = true,
    description = {
      "Thin out the short end of a JSONL file (e.g. long.jsonl) as the run's drop-short does: rank "
          + "r = 1 - (rows shorter) / n by the characters of each row's response, keep a row when "
          + "its seeded uniform draw is above factor * r^exponent.",
      "Writes the kept rows, unchanged and in order, to OUT and prints "
          + "{\"rows\": n, \"kept\": k, \"output\": OUT}."
    },
    exitCodeListHeading = "Exit codes:%n",
    exitCodeList = {"0:written", "1:unreadable or malformed input, or OUT not written", "2:usage error"})
public final class DataDropShortCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--seed", defaultValue = "42", paramLabel = "N",
      description = "Seed of the draws (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--factor", defaultValue = "2", paramLabel = "F",
      description = "Reference ${DEFAULT-VALUE}.")
  double factor;

  @Option(names = "--exponent", defaultValue = "3", paramLabel = "E",
      description = "Reference ${DEFAULT-VALUE}.")
  double exponent;

  @Option(names = "--by-words",
      description = "Rank by Self-Lengthen words instead of characters (the reference's len()).")
  boolean byWords;

  @Option(names = "--field", defaultValue = "response", paramLabel = "NAME",
      description = "The text field ranked (default ${DEFAULT-VALUE}).")
  String field;

  @Parameters(index = "0", paramLabel = "IN", description = "JSONL input.")
  Path in;

  @Parameters(index = "1", paramLabel = "OUT", description = "JSONL output (the kept rows).")
  Path out;

  @Override
  public Integer call() {
    DropShort rule;
    try {
      rule = new DropShort(factor, exponent);
    } catch (IllegalArgumentException e) {
      throw new CliException(e.getMessage());
    }
    List<JsonlInput.Row> rows = JsonlInput.read(in);
    int[] lengths = new int[rows.size()];
    for (int i = 0; i < lengths.length; i++) {
      String text = rows.get(i).text(in, field);
      lengths[i] = byWords ? WordCount.selfLengthen(text) : DropShort.length(text);
    }
    boolean[] keep = rule.keep(lengths, ShardSeeds.random(seed));
    List<ObjectNode> kept = new ArrayList<>();
    for (int i = 0; i < keep.length; i++) {
      if (keep[i]) {
        kept.add(rows.get(i).node());
      }
    }
    JsonlInput.write(out, kept);
    ObjectNode summary = JsonlInput.JSON.createObjectNode();
    summary.put("rows", rows.size());
    summary.put("kept", kept.size());
    summary.put("output", out.toString());
    PrintWriter stdout = spec.commandLine().getOut();
    stdout.println(JsonlInput.line(summary));
    stdout.flush();
    return 0;
  }
}
