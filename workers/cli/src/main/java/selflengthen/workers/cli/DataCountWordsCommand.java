package selflengthen.workers.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.ToIntFunction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import selflengthen.method.WordCount;

/** {@code data count-words}: the words of every row's response under one of the two counts. */
@Command(
    name = "count-words",
    mixinStandardHelpOptions = true,
    description = {
      "Count the words of each row's response and print one JSON line per row:",
      "{\"row\": <0-based line>, \"words\": n}."
    },
    exitCodeListHeading = "Exit codes:%n",
    exitCodeList = {"0:counted", "1:unreadable or malformed input", "2:usage error"})
public final class DataCountWordsCommand implements Callable<Integer> {
  /** The two counts by their names. */
  enum Scheme {
    SELF_LENGTHEN("self-lengthen", WordCount::selfLengthen),
    LONGBENCH_WRITE("longbench-write", WordCount::longBenchWrite);

    final String label;
    final ToIntFunction<String> count;

    Scheme(String label, ToIntFunction<String> count) {
      this.label = label;
      this.count = count;
    }

    @Override
    public String toString() {
      return label;
    }
  }

  /** Reads "self-lengthen" / "longbench-write". */
  static final class SchemeConverter implements picocli.CommandLine.ITypeConverter<Scheme> {
    @Override
    public Scheme convert(String value) {
      for (Scheme s : Scheme.values()) {
        if (s.label.equals(value)) {
          return s;
        }
      }
      throw new picocli.CommandLine.TypeConversionException(
          "expected self-lengthen or longbench-write, got '" + value + "'");
    }
  }

  @Spec CommandSpec spec;

  @Option(names = "--scheme", required = true, paramLabel = "self-lengthen|longbench-write",
      converter = SchemeConverter.class,
      description = "self-lengthen: Self-Lengthen's count_words (CJK characters and punctuation + "
          + "whitespace tokens); longbench-write: LongWriter's (CJK characters + \\b[a-zA-Z]+\\b).")
  Scheme scheme;

  @Option(names = "--field", defaultValue = "response", paramLabel = "NAME",
      description = "The text field of each row (default ${DEFAULT-VALUE}).")
  String field;

  @Parameters(index = "0", paramLabel = "FILE", description = "JSONL file, one object per line.")
  Path file;

  @Override
  public Integer call() {
    List<JsonlInput.Row> rows = JsonlInput.read(file);
    List<String> texts = rows.stream().map(r -> r.text(file, field)).toList();
    PrintWriter out = spec.commandLine().getOut();
    for (int i = 0; i < rows.size(); i++) {
      JsonlInput.Row row = rows.get(i);
      ObjectNode line = JsonlInput.JSON.createObjectNode();
      line.put("row", row.line());
      line.put("words", scheme.count.applyAsInt(texts.get(i)));
      out.println(JsonlInput.line(line));
    }
    out.flush();
    return 0;
  }
}
