package selflengthen.workers.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import selflengthen.method.LanguageProfile;
import selflengthen.method.ResponseCheck;

/**
 * {@code data check}: the response check of a language (the reference's check_response of
 * llama/utils.py for en, qwen/utils.py for zh) on every row's response.
 */
@Command(
    name = "check",
    mixinStandardHelpOptions = true,
    description = {
      "Run the response check on each row's response and print one JSON line per row:",
      "{\"row\": <0-based line>, \"ok\": true|false, \"reason\": \"...\"}."
    },
    exitCodeListHeading = "Exit codes:%n",
    exitCodeList = {"0:checked (whatever the verdicts)", "1:unreadable or malformed input", "2:usage error"})
public final class DataCheckCommand implements Callable<Integer> {
  /** The two profiles by their codes. */
  enum Lang {
    en(LanguageProfile.EN),
    zh(LanguageProfile.ZH);

    final LanguageProfile profile;

    Lang(LanguageProfile profile) {
      this.profile = profile;
    }
  }

  @Spec CommandSpec spec;

  @Option(names = "--language", required = true, paramLabel = "en|zh",
      description = "Which check: en (llama/utils.py) or zh (qwen/utils.py).")
  Lang language;

  @Option(names = "--field", defaultValue = "response", paramLabel = "NAME",
      description = "The text field of each row (default ${DEFAULT-VALUE}).")
  String field;

  @Parameters(index = "0", paramLabel = "FILE", description = "JSONL file, one object per line.")
  Path file;

  @Override
  public Integer call() {
    List<JsonlInput.Row> rows = JsonlInput.read(file);
    ResponseCheck check = language.profile.defaultCheck();
    List<String> texts = rows.stream().map(r -> r.text(file, field)).toList();
    PrintWriter out = spec.commandLine().getOut();
    for (int i = 0; i < rows.size(); i++) {
      JsonlInput.Row row = rows.get(i);
      ResponseCheck.Result r = check.check(texts.get(i));
      ObjectNode line = JsonlInput.JSON.createObjectNode();
      line.put("row", row.line());
      line.put("ok", r.passed());
      line.put("reason", r.passed() ? "" : r.verdict().name().toLowerCase() + ": " + r.message());
      out.println(JsonlInput.line(line));
    }
    out.flush();
    return 0;
  }
}
