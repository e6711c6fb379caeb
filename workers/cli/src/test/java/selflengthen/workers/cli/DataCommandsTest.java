package selflengthen.workers.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import selflengthen.method.DropShort;
import selflengthen.method.LanguageProfile;
import selflengthen.method.LengthControl;
import selflengthen.method.ShardSeeds;

/** {@code selflengthen data ...} through the main command line, as a user runs it. */
class DataCommandsTest {
  static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path dir;

  record Run(int code, String out, String err) {
    List<JsonNode> lines() throws Exception {
      List<JsonNode> l = new ArrayList<>();
      for (String s : out.split("\n")) {
        if (!s.isBlank()) {
          l.add(JSON.readTree(s));
        }
      }
      return l;
    }
  }

  /** Built once: the whole command tree takes about a second to build (picocli resets options per run). */
  static final CommandLine CLI = Main.commandLine();

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = CLI;
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int code = cl.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  private Path jsonl(String name, List<?> rows) throws Exception {
    StringBuilder b = new StringBuilder();
    for (Object row : rows) {
      b.append(row instanceof String s ? s : JSON.writeValueAsString(row)).append('\n');
    }
    Path file = dir.resolve(name);
    Files.writeString(file, b.toString(), StandardCharsets.UTF_8);
    return file;
  }

  private static ObjectNode response(String text) {
    return JSON.createObjectNode().put("response", text);
  }

  @Test
  void checkPrintsOneVerdictPerRowWithItsLineNumber() throws Exception {
    Path file =
        jsonl(
            "rows.jsonl",
            List.of(
                response("A fine answer."),
                response("No closing mark"),
                "",
                response("Here is the revised text.\nBody."),
                response("Here is the Revised text.\nBody."),
                response("结束。")));
    Run en = run("data", "check", "--language", "en", file.toString());
    assertEquals(0, en.code(), en.err());
    List<JsonNode> lines = en.lines();
    assertEquals(5, lines.size(), en.out());
    assertEquals(List.of(0, 1, 3, 4, 5), lines.stream().map(l -> l.get("row").asInt()).toList());
    assertEquals(
        List.of(true, false, false, true, false), lines.stream().map(l -> l.get("ok").asBoolean()).toList());
    assertEquals("", lines.get(0).get("reason").asText());
    assertTrue(lines.get(1).get("reason").asText().startsWith("no_closing_punctuation"), en.out());
    assertTrue(lines.get(2).get("reason").asText().contains("revised"), en.out());

    Run zh = run("data", "check", "--language", "zh", file.toString());
    assertEquals(
        List.of(false, false, false, false, true),
        zh.lines().stream().map(l -> l.get("ok").asBoolean()).toList(),
        "the Chinese check has no ASCII full stop and no meta words");
  }

  @Test
  void countWordsUsesTheSchemeAsked() throws Exception {
    Path file = jsonl("rows.jsonl", List.of(response("abc中文 café, abc123 words"), response("")));
    Run sl = run("data", "count-words", "--scheme", "self-lengthen", file.toString());
    assertEquals(0, sl.code(), sl.err());
    // 2 CJK + "abc", "café,", "abc123", "words"
    assertEquals(6, sl.lines().get(0).get("words").asInt());
    assertEquals(0, sl.lines().get(1).get("words").asInt());
    assertEquals(1, sl.lines().get(1).get("row").asInt());
    Run lbw = run("data", "count-words", "--scheme", "longbench-write", file.toString());
    // 2 CJK + "words": abc touches 中, café and abc123 hold no \b-bounded ASCII word
    assertEquals(3, lbw.lines().get(0).get("words").asInt());
  }

  @Test
  void badInputIsOneErrorLineAndANonZeroExit() throws Exception {
    Path notJson = jsonl("bad.jsonl", List.of(response("ok."), "{not json"));
    Run r = run("data", "check", "--language", "en", notJson.toString());
    assertEquals(Errors.FAILED, r.code());
    assertEquals("", r.out(), "nothing printed before the error");
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertTrue(r.err().contains("line 2") && r.err().contains("not JSON"), r.err());

    Path noField = jsonl("nofield.jsonl", List.of(JSON.createObjectNode().put("text", "x")));
    Run missing = run("data", "count-words", "--scheme", "self-lengthen", noField.toString());
    assertEquals(Errors.FAILED, missing.code());
    assertTrue(missing.err().contains("\"response\""), missing.err());

    Run absent = run("data", "check", "--language", "en", dir.resolve("nope.jsonl").toString());
    assertEquals(Errors.FAILED, absent.code());
    assertTrue(absent.err().contains("no such file"), absent.err());

    Path arrays = jsonl("array.jsonl", List.of("[1, 2]"));
    assertEquals(Errors.FAILED, run("data", "check", "--language", "en", arrays.toString()).code());

    Path latin1 = dir.resolve("latin1.jsonl");
    Files.write(latin1, new byte[] {'{', '"', 'r', '"', ':', '"', (byte) 0xE9, '"', '}', '\n'});
    assertEquals(Errors.FAILED, run("data", "check", "--language", "en", latin1.toString()).code());

    Run language = run("data", "check", "--language", "fr", notJson.toString());
    assertEquals(Errors.USAGE, language.code());
    assertEquals(1, language.err().strip().lines().count(), language.err());
    Run scheme = run("data", "count-words", "--scheme", "words", notJson.toString());
    assertEquals(Errors.USAGE, scheme.code());
    assertTrue(scheme.err().contains("self-lengthen or longbench-write"), scheme.err());
  }

  @Test
  void dropShortKeepsWhatTheStagesRuleKeepsForTheSeed() throws Exception {
    List<ObjectNode> rows = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      rows.add(JSON.createObjectNode().put("query", "q" + i).put("response", "x".repeat(1 + (i * 37) % 60)));
    }
    Path in = jsonl("long.jsonl", rows);
    Path out = dir.resolve("out/kept.jsonl");
    Run r = run("data", "drop-short", "--seed", "11", in.toString(), out.toString());
    assertEquals(0, r.code(), r.err());
    int[] lengths = rows.stream().mapToInt(n -> DropShort.length(n.get("response").asText())).toArray();
    boolean[] keep = DropShort.reference().keep(lengths, ShardSeeds.random(11));
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < keep.length; i++) {
      if (keep[i]) {
        expected.add(JSON.writeValueAsString(rows.get(i)));
      }
    }
    assertEquals(expected, Files.readAllLines(out, StandardCharsets.UTF_8));
    JsonNode summary = r.lines().get(0);
    assertEquals(60, summary.get("rows").asInt());
    assertEquals(expected.size(), summary.get("kept").asInt());
    assertTrue(expected.size() > 20 && expected.size() < 50, "kept " + expected.size());
    // The same seed, the same file.
    Path again = dir.resolve("again.jsonl");
    run("data", "drop-short", "--seed", "11", in.toString(), again.toString());
    assertEquals(Files.readString(out), Files.readString(again));
    assertEquals(Errors.USAGE, run("data", "drop-short", in.toString()).code(), "OUT is required");
  }

  @Test
  void lengthControlGivesKeptRowsTheStagesConstraint() throws Exception {
    List<ObjectNode> rows = new ArrayList<>();
    int[] words = {1500, 2500, 3000, 4200, 7999, 8000, 5100};
    for (int w : words) {
      rows.add(JSON.createObjectNode().put("query", "Write " + w + ".").put("response", "w ".repeat(w).strip()));
    }
    Path in = jsonl("long.jsonl", rows);
    Path out = dir.resolve("lc.jsonl");
    Run r = run("data", "length-control", "--seed", "5", in.toString(), out.toString());
    assertEquals(0, r.code(), r.err());
    List<String> written = Files.readAllLines(out, StandardCharsets.UTF_8);
    assertEquals(5, written.size(), "1500 and 8000 words are outside [2000, 8000)");
    LengthControl control =
        new LengthControl(LanguageProfile.EN.defaultPrompts(), LengthControl.Settings.reference());
    var random = ShardSeeds.random(5);
    int k = 0;
    for (ObjectNode row : rows) {
      var c = control.apply(row.get("query").asText(), row.get("response").asText(), random);
      if (c.isEmpty()) {
        continue;
      }
      JsonNode got = JSON.readTree(written.get(k++));
      assertEquals(c.get().constrainedQuery(), got.get("constrained_query").asText());
      assertEquals(c.get().constraint().type().label(), got.get("length_type").asText());
      assertEquals(c.get().constraint().referenceText(LanguageProfile.EN), got.get("length_constraint").asText());
      assertEquals(c.get().words(), got.get("words").asInt());
      assertEquals(row.get("query").asText(), got.get("query").asText());
    }
    JsonNode summary = r.lines().get(0);
    assertEquals(7, summary.get("rows").asInt());
    assertEquals(5, summary.get("kept").asInt());

    Path noQuery = jsonl("noquery.jsonl", List.of(response("x")));
    Run bad = run("data", "length-control", noQuery.toString(), dir.resolve("x.jsonl").toString());
    assertEquals(Errors.FAILED, bad.code());
    assertTrue(bad.err().contains("\"query\""), bad.err());
    assertFalse(Files.exists(dir.resolve("x.jsonl")));
  }
}
