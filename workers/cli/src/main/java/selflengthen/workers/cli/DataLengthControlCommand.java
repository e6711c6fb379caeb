package selflengthen.workers.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.random.RandomGenerator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import selflengthen.method.LengthConstraint;
import selflengthen.method.LengthControl;
import selflengthen.method.ShardSeeds;

/**
 * {@code data length-control}: the length-control numbers of the run's stage ({@link
 * LengthControl}: the 2000-8000 word window, the rounding unit, N / lo / hi and the type, three
 * seeded draws per kept row in the reference's order) on a long.jsonl of query/response rows. The
 * query gets the constraint as the appended sentence of the prompt set (the rewrite that needs no
 * model).
 */
@Command(
    name = "length-control",
    mixinStandardHelpOptions = true,
    description = {
      "Give each query/response row of a long.jsonl whose response has 2000 <= words < 8000 a "
          + "length constraint as eval/add_length_control.py draws it (unit 2000 w.p. 0.2 else "
          + "1000; about N 40%, range lo-hi 25%, above lo 10%, below hi 25%).",
      "Writes one JSON line per kept row to OUT: the row's fields plus words, length_type, n, lo, "
          + "hi, length_constraint (the reference's wording) and constrained_query (the query with "
          + "the constraint appended); prints {\"rows\": n, \"kept\": k, \"per_type\": {...}, \"output\": OUT}."
    },
    exitCodeListHeading = "Exit codes:%n",
    exitCodeList = {"0:written", "1:unreadable or malformed input, or OUT not written", "2:usage error"})
public final class DataLengthControlCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--seed", defaultValue = "42", paramLabel = "N",
      description = "Seed of the draws (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--language", defaultValue = "en", paramLabel = "en|zh",
      description = "Wording of the constraints and sentences (default ${DEFAULT-VALUE}).")
  DataCheckCommand.Lang language;

  @Parameters(index = "0", paramLabel = "IN", description = "long.jsonl: rows with query and response.")
  Path in;

  @Parameters(index = "1", paramLabel = "OUT", description = "JSONL output (the kept rows).")
  Path out;

  @Override
  public Integer call() {
    List<JsonlInput.Row> rows = JsonlInput.read(in);
    List<String[]> texts = new ArrayList<>();
    for (JsonlInput.Row row : rows) {
      texts.add(new String[] {row.text(in, "query"), row.text(in, "response")});
    }
    LengthControl control =
        new LengthControl(language.profile.defaultPrompts(), LengthControl.Settings.reference());
    RandomGenerator random = ShardSeeds.random(seed);
    List<ObjectNode> kept = new ArrayList<>();
    Map<String, Integer> perType = new TreeMap<>();
    for (int i = 0; i < rows.size(); i++) {
      Optional<LengthControl.Constrained> c = control.apply(texts.get(i)[0], texts.get(i)[1], random);
      if (c.isEmpty()) {
        continue;
      }
      LengthConstraint k = c.get().constraint();
      ObjectNode row = rows.get(i).node().deepCopy();
      row.put("words", c.get().words());
      row.put("length_type", k.type().label());
      row.put("n", k.n());
      row.put("lo", k.lo());
      row.put("hi", k.hi());
      row.put("length_constraint", k.referenceText(language.profile));
      row.put("constrained_query", c.get().constrainedQuery());
      kept.add(row);
      perType.merge(k.type().label(), 1, Integer::sum);
    }
    JsonlInput.write(out, kept);
    ObjectNode summary = JsonlInput.JSON.createObjectNode();
    summary.put("rows", rows.size());
    summary.put("kept", kept.size());
    ObjectNode types = summary.putObject("per_type");
    perType.forEach(types::put);
    summary.put("output", out.toString());
    PrintWriter stdout = spec.commandLine().getOut();
    stdout.println(JsonlInput.line(summary));
    stdout.flush();
    return 0;
  }
}
