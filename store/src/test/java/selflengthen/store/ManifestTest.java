package selflengthen.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import selflengthen.v1.DatasetRef;

@Tag("integration")
class ManifestTest {
  @TempDir Path dir;
  DataStore store;

  @BeforeEach
  void open() {
    store = DataStore.open(dir);
  }

  static Lineage lineage(String stage, int shard) {
    return new Lineage(new Producer("r1/round-1", stage, shard, 1),
        List.of(new InputRef("runs/r1/round-1/instruction-pool.jsonl", "abc")),
        List.of(new ModelVersion("/models/qwen", "runs/r1/round-0/adapters/generator")));
  }

  @Test
  void recordsLineageAndAnswersCompleteness() throws Exception {
    String shard = Layout.shard("r1", 1, "respond", 0);
    DatasetRef ref = store.writeJsonl(shard, List.of(Map.of("q", "a"), Map.of("q", "b")));
    assertFalse(store.isComplete(shard));
    store.record(ref, lineage("respond", 0));
    assertTrue(store.isComplete(shard));

    ManifestEntry e = store.manifest("r1").latest(shard).orElseThrow();
    assertEquals(ref.getSha256(), e.sha256());
    assertEquals(2, e.rows());
    assertEquals(new Producer("r1/round-1", "respond", 0, 1), e.producer());
    assertEquals("abc", e.inputs().get(0).sha256());
    assertEquals("runs/r1/round-0/adapters/generator", e.models().get(0).adapter());
    assertTrue(e.time().endsWith("Z"), e.time());

    String line = Files.readAllLines(store.resolve("runs/r1/manifest.jsonl")).get(0);
    assertTrue(line.contains("\"workflow_id\":\"r1/round-1\"") && line.contains("\"sha256\":\""), line);

    // Changed on disk: no longer complete.
    Files.writeString(store.resolve(shard), "{\"q\":\"x\"}\n", StandardOpenOption.APPEND);
    assertFalse(store.isComplete(shard));
    // A newer entry wins.
    store.record(shard, 3, lineage("respond", 0));
    assertTrue(store.isComplete(shard));
    assertEquals(3, store.manifest("r1").latest(shard).orElseThrow().rows());
    assertEquals(2, store.manifest("r1").entries().size());
  }

  @Test
  void directoriesAreRecordedWithATreeChecksum() throws Exception {
    String adapter = Layout.adapter("r1", 1, "generator");
    Files.createDirectories(store.resolve(adapter));
    Files.writeString(store.resolve(adapter + "/adapter_config.json"), "{}");
    Files.write(store.resolve(adapter + "/adapter_model.safetensors"), new byte[] {1, 2, 3});
    store.record(adapter, 0, Lineage.of(new Producer("r1/round-1", "train_generator", null, 1)));
    assertTrue(store.isComplete(adapter));
    Files.write(store.resolve(adapter + "/adapter_model.safetensors"), new byte[] {1, 2, 4});
    assertFalse(store.isComplete(adapter));
  }

  @Test
  void concurrentAppendsFromThreadsKeepEveryLineWhole() throws Exception {
    int threads = 8;
    int each = 50;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Future<?>> futures = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      // Half the threads use a second store instance on the same root, as another worker would.
      DataStore s = t % 2 == 0 ? store : DataStore.open(dir);
      futures.add(pool.submit(() -> {
        for (int i = 0; i < each; i++) {
          String path = "runs/r1/round-1/respond/t" + thread + "-" + i + ".jsonl";
          s.manifest("r1").record(ManifestEntry.of(path, "x".repeat(64), i, lineage("respond", i), null));
        }
        return null;
      }));
    }
    for (Future<?> f : futures) {
      f.get(60, TimeUnit.SECONDS);
    }
    pool.shutdown();
    List<String> lines = Files.readAllLines(store.resolve("runs/r1/manifest.jsonl"));
    assertEquals(threads * each, lines.size());
    Set<String> paths = new HashSet<>();
    for (ManifestEntry e : store.manifest("r1").entries()) {
      paths.add(e.path());
    }
    assertEquals(threads * each, paths.size());
  }

  @Test
  void concurrentAppendsFromSeveralJvms() throws Exception {
    int jvms = 3;
    int each = 40;
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<Process> procs = new ArrayList<>();
    for (int j = 0; j < jvms; j++) {
      procs.add(new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
          ManifestAppender.class.getName(), dir.toString(), "jvm" + j, Integer.toString(each))
          .redirectErrorStream(true).redirectOutput(dir.resolve("jvm" + j + ".log").toFile()).start());
    }
    // And this JVM writes at the same time.
    for (int i = 0; i < each; i++) {
      store.manifest("r1").record(ManifestEntry.of("runs/r1/here-" + i, "h", i, lineage("x", i), null));
    }
    for (int j = 0; j < jvms; j++) {
      assertTrue(procs.get(j).waitFor(60, TimeUnit.SECONDS));
      assertEquals(0, procs.get(j).exitValue(), Files.readString(dir.resolve("jvm" + j + ".log")));
    }
    List<ManifestEntry> entries = store.manifest("r1").entries();
    assertEquals((jvms + 1) * each, entries.size());
    assertEquals((jvms + 1) * each, Files.readAllLines(store.resolve("runs/r1/manifest.jsonl")).size());
  }

  @Test
  void aTornLastLineIsRepairedByTheNextAppend() throws Exception {
    Manifest m = store.manifest("r1");
    m.record(ManifestEntry.of("runs/r1/a", "1", 1, lineage("s", 0), null));
    Files.write(store.resolve("runs/r1/manifest.jsonl"), "{\"path\":\"runs/r1/b\",\"sha".getBytes(StandardCharsets.UTF_8),
        StandardOpenOption.APPEND);
    assertEquals(1, m.entries().size(), "readers ignore the torn line");
    m.record(ManifestEntry.of("runs/r1/c", "3", 1, lineage("s", 1), null));
    assertEquals(List.of("runs/r1/a", "runs/r1/c"), m.entries().stream().map(ManifestEntry::path).toList());
    assertEquals(List.of("runs/r1/a", "runs/r1/c"),
        DataStore.open(dir).manifest("r1").entries().stream().map(ManifestEntry::path).toList());
    assertEquals(2, Files.readAllLines(store.resolve("runs/r1/manifest.jsonl")).size());
  }

  /** Appends entries from another JVM (run by the test above). */
  public static final class ManifestAppender {
    public static void main(String[] args) {
      DataStore s = DataStore.open(Path.of(args[0]));
      for (int i = 0; i < Integer.parseInt(args[2]); i++) {
        s.manifest("r1").record(ManifestEntry.of("runs/r1/" + args[1] + "-" + i, "h", i,
            lineage("x", i), null));
      }
    }
  }


  @Test
  void theSameArtifactRecordedAgainAddsNoLine() throws Exception {
    String shard = Layout.shard("r1", 1, "respond", 0);
    DatasetRef ref = store.writeJsonl(shard, List.of(Map.of("q", "a")));
    ManifestEntry first = store.record(ref, lineage("respond", 0));
    Path file = store.resolve("runs/r1/manifest.jsonl");
    byte[] before = Files.readAllBytes(file);
    // Another attempt (a resumed run, a redone shard that came out the same) at another time.
    Lineage again = new Lineage(new Producer("r1/round-1", "respond", 0, 3),
        lineage("respond", 0).inputs(), lineage("respond", 0).models());
    assertEquals(first, store.record(ref, again));
    assertEquals(first, store.record(shard, 1, again));
    assertEquals(new String(before, StandardCharsets.UTF_8),
        Files.readString(file), "no duplicate record");

    // A truncated shard made again with other rows is a new record; made again the same, not.
    DatasetRef redone = store.writeJsonl(shard, List.of(Map.of("q", "b")));
    store.record(redone, again);
    store.record(redone, again);
    assertEquals(2, store.manifest("r1").entries().size());
    assertEquals(redone.getSha256(), store.manifest("r1").latest(shard).orElseThrow().sha256());
  }

  @Test
  void aDamagedLineIsRefusedNotSkipped() throws Exception {
    store.record(store.writeJsonl(Layout.shard("r1", 1, "respond", 0), List.of(Map.of("q", "a"))),
        lineage("respond", 0));
    Path file = store.resolve("runs/r1/manifest.jsonl");
    Files.writeString(file, "{\"path\": garbage\n", StandardOpenOption.APPEND);
    DatasetRef next = store.writeJsonl(Layout.shard("r1", 1, "respond", 1), List.of(Map.of("q", "b")));
    assertThrows(DamagedManifestException.class, () -> store.record(next, lineage("respond", 1)),
        "no record is added to a damaged manifest");
    DataStore fresh = DataStore.open(dir);
    DamagedManifestException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            DamagedManifestException.class, () -> fresh.manifest("r1").entries());
    assertTrue(e.getMessage().startsWith("runs/r1/manifest.jsonl is damaged: line 2 is not a manifest record"),
        e.getMessage());
    assertThrows(DamagedManifestException.class, () -> fresh.checkManifest("r1"));
  }

  @Test
  void aMissingManifestBesideFinishedArtifactsIsRefused() throws Exception {
    store.checkManifest("r1"); // a new run: nothing to check
    store.writeString("runs/r1/spec.json", "{}");
    store.checkManifest("r1"); // a run that stopped before finishing anything
    store.writeString("runs/r1/round-1/respond/respond.jsonl", "{}\n");
    store.writeString("runs/r1/round-1/respond/respond.jsonl.result.json", "{}");
    DamagedManifestException e =
        assertThrows(DamagedManifestException.class, () -> store.checkManifest("r1"));
    assertTrue(e.getMessage().startsWith("runs/r1/manifest.jsonl is missing, but runs/r1 holds 1"
        + " finished artifact(s) (e.g. runs/r1/round-1/respond/respond.jsonl)"), e.getMessage());
  }

  @Test
  void aManifestDeletedUnderARunningReaderIsRefused() throws Exception {
    store.record(store.writeJsonl(Layout.shard("r1", 1, "respond", 0), List.of(Map.of("q", "a"))),
        lineage("respond", 0));
    assertEquals(1, store.manifest("r1").entries().size());
    Files.delete(store.resolve("runs/r1/manifest.jsonl"));
    assertThrows(DamagedManifestException.class, () -> store.manifest("r1").entries());
    DatasetRef next = store.writeJsonl(Layout.shard("r1", 1, "respond", 1), List.of(Map.of("q", "b")));
    assertThrows(DamagedManifestException.class, () -> store.record(next, lineage("respond", 1)));
  }

  @Test
  void openingAnExistingRootCreatesNothing() {
    Path missing = dir.resolve("no-such-root");
    StoreException e = assertThrows(StoreException.class, () -> DataStore.openExisting(missing));
    assertEquals("data root " + missing + " does not exist", e.getMessage());
    assertFalse(Files.exists(missing));
  }
}
