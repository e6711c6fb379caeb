package selflengthen.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import selflengthen.v1.DatasetRef;
import selflengthen.v1.RunSpec;
import selflengthen.v1.SpecRef;

class DataStoreTest {
  record Sample(String query, String response, int words) {}

  @TempDir Path dir;
  DataStore store;

  @BeforeEach
  void open() {
    store = DataStore.open(dir.resolve("root"));
  }

  static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  @Test
  void openCreatesTheRootAndFailsClearlyWhenItCannot() throws IOException {
    assertTrue(Files.isDirectory(dir.resolve("root")));
    Path file = Files.writeString(dir.resolve("plain-file"), "x");
    StoreException e = assertThrows(StoreException.class, () -> DataStore.open(file.resolve("data")));
    assertTrue(e.getMessage().startsWith("cannot create data root " + file.resolve("data")), e.getMessage());
    StoreException notDir = assertThrows(StoreException.class, () -> DataStore.open(file));
    assertTrue(notDir.getMessage().contains("not a directory"), notDir.getMessage());
  }

  @Test
  void resolveRefusesDotDotAbsolutePathsAndSymlinksOut() throws IOException {
    assertEquals(dir.resolve("root/runs/r1/a.jsonl"), store.resolve("runs/r1/a.jsonl"));
    assertEquals(dir.resolve("root/runs/r1/a.jsonl"), store.resolve("./runs/r1/./a.jsonl"));

    UnsafePathException dots = assertThrows(UnsafePathException.class, () -> store.resolve("runs/../../etc/passwd"));
    assertTrue(dots.getMessage().contains("'runs/../../etc/passwd'") && dots.getMessage().contains("'..'"),
        dots.getMessage());
    assertThrows(UnsafePathException.class, () -> store.resolve("runs/r1/../r2/x"));
    UnsafePathException abs = assertThrows(UnsafePathException.class, () -> store.resolve("/etc/passwd"));
    assertTrue(abs.getMessage().contains("absolute path '/etc/passwd'"), abs.getMessage());
    assertThrows(UnsafePathException.class, () -> store.resolve(""));

    Path outside = Files.createDirectories(dir.resolve("outside"));
    Files.writeString(outside.resolve("secret"), "s");
    Files.createDirectories(store.root().resolve("runs"));
    Files.createSymbolicLink(store.root().resolve("runs/escape"), outside);
    UnsafePathException link = assertThrows(UnsafePathException.class, () -> store.resolve("runs/escape/secret"));
    assertTrue(link.getMessage().contains("'runs/escape/secret'") && link.getMessage().contains("symbolic link"),
        link.getMessage());
    // A file not yet written below the escaping link is refused too.
    assertThrows(UnsafePathException.class, () -> store.resolve("runs/escape/new/file.jsonl"));
    assertThrows(UnsafePathException.class, () -> store.writeString("runs/escape/new.txt", "x"));
    assertFalse(Files.exists(outside.resolve("new.txt")));

    Path inside = Files.createDirectories(store.root().resolve("shared"));
    Files.createSymbolicLink(store.root().resolve("runs/alias"), inside);
    assertEquals(store.root().resolve("runs/alias/x"), store.resolve("runs/alias/x"));
  }

  @Test
  void jsonlIsWrittenAtomicallyWithItsChecksum() throws Exception {
    List<Sample> rows = List.of(new Sample("q1", "line one\nline two", 4), new Sample("q2", "r2 \"quoted\"", 2));
    DatasetRef ref = store.writeJsonl("runs/r1/round-1/respond.jsonl", rows);
    byte[] bytes = Files.readAllBytes(store.resolve("runs/r1/round-1/respond.jsonl"));
    assertEquals(2, ref.getCount());
    assertEquals(sha256(bytes), ref.getSha256());
    assertEquals(sha256(bytes), store.sha256("runs/r1/round-1/respond.jsonl"));
    assertEquals(2, new String(bytes, StandardCharsets.UTF_8).lines().count(), "one line per row");
    assertEquals(rows, store.readJsonl("runs/r1/round-1/respond.jsonl", Sample.class));
    assertEquals("q2", store.readJsonl("runs/r1/round-1/respond.jsonl").get(1).get("query").asText());
    try (Stream<Sample> s = store.streamJsonl("runs/r1/round-1/respond.jsonl", Sample.class)) {
      assertEquals(6, s.mapToInt(Sample::words).sum());
    }
    try (Stream<Path> files = Files.list(store.resolve("runs/r1/round-1"))) {
      assertEquals(List.of("respond.jsonl"), files.map(p -> p.getFileName().toString()).toList());
    }
  }

  @Test
  void anUncommittedWriterLeavesNothing() throws IOException {
    try (JsonlWriter w = store.newJsonlWriter("runs/r1/x.jsonl")) {
      w.write(Map.of("a", 1));
      assertFalse(Files.exists(store.resolve("runs/r1/x.jsonl")));
    }
    assertFalse(Files.exists(store.resolve("runs/r1/x.jsonl")));
    try (Stream<Path> files = Files.list(store.resolve("runs/r1"))) {
      assertEquals(0, files.count(), "temp file removed");
    }
  }

  @Test
  void aCrashMidLineLeavesOnlyWholeCommittedRowsAndARetryContinues() throws Exception {
    String shard = Layout.shard("r1", 1, "respond", 3);
    assertEquals("runs/r1/round-1/respond/shard-00003.jsonl", shard);
    try (ShardAppender a = store.appender(shard)) {
      assertEquals(0, a.committedCount());
      a.append(new Sample("q0", "r0", 1));
      a.append(new Sample("q1", "r1", 1));
      a.append(new Sample("q2", "r2", 1));
      // the process dies here: no finish
    }
    Path partial = store.resolve(shard + ".partial");
    assertFalse(Files.exists(store.resolve(shard)), "not visible before finish");
    // The crash tore the fourth row half-way through.
    Files.write(partial, "{\"query\":\"q3\",\"respo".getBytes(StandardCharsets.UTF_8),
        java.nio.file.StandardOpenOption.APPEND);

    try (ShardAppender retry = store.appender(shard)) {
      assertEquals(3, retry.committedCount());
      assertEquals(List.of("q0", "q1", "q2"),
          retry.committedRows(Sample.class).stream().map(Sample::query).toList());
      assertTrue(new String(Files.readAllBytes(partial), StandardCharsets.UTF_8).endsWith("}\n"),
          "torn line cut off");
      retry.append(new Sample("q3", "r3", 1));
      DatasetRef ref = retry.finish();
      assertEquals(4, ref.getCount());
      byte[] bytes = Files.readAllBytes(store.resolve(shard));
      assertEquals(sha256(bytes), ref.getSha256());
    }
    assertFalse(Files.exists(partial));
    assertEquals(List.of("q0", "q1", "q2", "q3"),
        store.readJsonl(shard, Sample.class).stream().map(Sample::query).toList());
  }

  @Test
  void garbageAfterTheLastWholeLineIsCutEvenWithANewline() throws IOException {
    String shard = "runs/r1/round-1/extend/shard-00000.jsonl";
    try (ShardAppender a = store.appender(shard)) {
      a.append(Map.of("i", 0));
    }
    Files.write(store.resolve(shard + ".partial"), new byte[] {0, 0, 0, '\n', '{'},
        java.nio.file.StandardOpenOption.APPEND);
    try (ShardAppender a = store.appender(shard)) {
      assertEquals(1, a.committedCount());
      assertEquals(0, a.committedRows().get(0).get("i").asInt());
    }
  }

  @Test
  void oneWriterPerShardAtATime() {
    String shard = "runs/r1/round-1/respond/shard-00001.jsonl";
    try (ShardAppender first = store.appender(shard)) {
      StoreException e = assertThrows(StoreException.class, () -> store.appender(shard));
      assertTrue(e.getMessage().contains("another writer"), e.getMessage());
      first.append(Map.of("x", 1));
    }
    try (ShardAppender second = store.appender(shard)) {
      assertEquals(1, second.committedCount());
    }
  }

  @Test
  void reopeningAFinishedShardKeepsItsRows() {
    String shard = "runs/r1/round-1/respond/shard-00002.jsonl";
    try (ShardAppender a = store.appender(shard)) {
      a.append(Map.of("x", 1));
      a.finish();
    }
    try (ShardAppender again = store.appender(shard)) {
      assertEquals(1, again.committedCount());
      assertEquals(1, again.finish().getCount());
    }
  }

  @Test
  void specRoundTripsThroughTheStore() {
    RunSpec spec = RunSpec.newBuilder().setRunId("r9").setRounds(2).build();
    assertEquals("runs/r9/spec.json", store.writeSpec(spec));
    assertEquals(spec, store.readSpec("r9"));
    StoreException e = assertThrows(StoreException.class, () -> store.readSpec("nope"));
    assertTrue(e.getMessage().startsWith("no spec for run 'nope'"), e.getMessage());
  }

  @Test
  void specSnapshotsAreNamedByTheirBytesAndCheckedOnRead() throws Exception {
    RunSpec spec = RunSpec.newBuilder().setRunId("r9").setRounds(2).build();
    SpecRef ref = store.writeSpecSnapshot(spec);
    Path file = store.resolve(ref.getPath());
    byte[] bytes = Files.readAllBytes(file);
    String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    assertEquals("runs/r9/specs/" + sha + ".json", ref.getPath());
    assertEquals(sha, ref.getSha256());
    assertEquals(store.root().toString(), ref.getDataRoot());
    assertEquals(spec, store.readSpecSnapshot(ref));
    // The same spec: the same file, left as it is; another spec: another file.
    assertEquals(ref, store.writeSpecSnapshot(spec));
    assertTrue(!store.writeSpecSnapshot(spec.toBuilder().setRounds(3).build()).getPath().equals(ref.getPath()));

    Files.writeString(file, new String(bytes, StandardCharsets.UTF_8).replace("2", "4"));
    StoreException changed = assertThrows(StoreException.class, () -> store.readSpecSnapshot(ref));
    assertTrue(changed.getMessage().contains("not the " + sha + " its reference names"), changed.getMessage());
    Files.delete(file);
    StoreException missing = assertThrows(StoreException.class, () -> store.readSpecSnapshot(ref));
    assertTrue(missing.getMessage().contains("not found"), missing.getMessage());
    assertThrows(UnsafePathException.class, () -> Layout.specSnapshot("r9", "../../etc"));
  }

  @Test
  void jsonDocumentsAndStrings() {
    store.writeJson("runs/r1/reports/summary.json", Map.of("rounds", 3));
    JsonNode n = store.readJson("runs/r1/reports/summary.json", JsonNode.class);
    assertEquals(3, n.get("rounds").asInt());
    store.writeString("runs/r1/reports/a.txt", "hello");
    assertEquals("hello", store.readString("runs/r1/reports/a.txt"));
    assertEquals("runs/r1/reports/a.txt", store.relativize(store.resolve("runs/r1/reports/a.txt")));
  }

  @Test
  void layoutRefusesUnsafeNames() {
    assertEquals("runs/r1/round-2/sft/generator.jsonl", Layout.sftSet("r1", 2, "generator"));
    assertEquals("runs/r1/round-2/adapters/extender", Layout.adapter("r1", 2, "extender"));
    assertEquals("r1", Layout.runOf("runs/r1/round-2/x.jsonl").orElseThrow());
    assertTrue(Layout.runOf("shared/x.jsonl").isEmpty());
    assertThrows(UnsafePathException.class, () -> Layout.spec("../x"));
    assertThrows(UnsafePathException.class, () -> Layout.stage("r1", 1, "a/b"));
  }
}
