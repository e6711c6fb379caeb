package selflengthen.activities.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import selflengthen.activities.ActivityFailures;
import selflengthen.store.DataStore;
import selflengthen.v1.DatasetRef;
import selflengthen.v1.RunSpec;
import selflengthen.v1.ShardRef;
import selflengthen.v1.ShardTask;
import selflengthen.v1.SpecRef;
import selflengthen.v1.StageContext;

class SpecSnapshotsTest {
  @TempDir Path dir;

  private RunSpec spec() {
    return RunSpec.newBuilder().setRunId("r1").setRounds(3).setDataRoot(dir.toString()).build();
  }

  private static ShardTask task(StageContext context) {
    return ShardTask.newBuilder()
        .setContext(context)
        .setShard(ShardRef.newBuilder().setInput(DatasetRef.newBuilder().setPath("in.jsonl")).setIndex(4))
        .setOutputPath("out.jsonl")
        .build();
  }

  @Test
  void fillsInTheSpecOfAContextThatCarriesItsReference() {
    SpecRef ref = DataStore.open(dir).writeSpecSnapshot(spec());
    StageContext byRef = StageContext.newBuilder().setSpecRef(ref).setRound(2).setStage("respond").setCallId("c").build();

    ShardTask resolved = (ShardTask) new SpecSnapshots().resolve(task(byRef));

    assertEquals(spec(), resolved.getContext().getSpec());
    assertFalse(resolved.getContext().hasSpecRef(), "the activity sees one spec, never both");
    assertEquals(task(byRef.toBuilder().clearSpecRef().setSpec(spec()).build()), resolved);
  }

  @Test
  void leavesEverythingElseAsItIs() {
    SpecSnapshots specs = new SpecSnapshots();
    ShardTask inline = task(StageContext.newBuilder().setSpec(spec()).setRound(1).build());
    assertSame(inline, specs.resolve(inline));
    ShardTask noContext = ShardTask.newBuilder().setOutputPath("x").build();
    assertSame(noContext, specs.resolve(noContext));
    DatasetRef other = DatasetRef.newBuilder().setPath("p").build();
    assertSame(other, specs.resolve(other));
    assertEquals("text", specs.resolve("text"));
  }

  @Test
  void readsEachSpecOnce() throws IOException {
    SpecRef ref = DataStore.open(dir).writeSpecSnapshot(spec());
    SpecSnapshots specs = new SpecSnapshots();
    assertEquals(spec(), specs.read(ref));
    Files.delete(dir.resolve(ref.getPath()));
    assertEquals(spec(), specs.read(ref), "kept in memory by its SHA-256");
  }

  @Test
  void aChangedFileStopsTheRunAndAMissingOneIsRetried() throws IOException {
    SpecRef ref = DataStore.open(dir).writeSpecSnapshot(spec());
    Path file = dir.resolve(ref.getPath());
    Files.writeString(file, Files.readString(file).replace("3", "5"));
    ApplicationFailure changed = assertThrows(ApplicationFailure.class, () -> new SpecSnapshots().read(ref));
    assertEquals(ActivityFailures.BAD_INPUT, changed.getType());
    assertTrue(changed.isNonRetryable());
    assertTrue(changed.getOriginalMessage().startsWith("context.spec_ref: "), changed.getOriginalMessage());

    SpecRef elsewhere = ref.toBuilder().setDataRoot(dir.resolve("not-mounted").toString()).build();
    ApplicationFailure missing = assertThrows(ApplicationFailure.class, () -> new SpecSnapshots().read(elsewhere));
    assertFalse(missing.isNonRetryable(), "another worker may see the data root");
    assertTrue(missing.getOriginalMessage().contains("every worker must see the run's data root"),
        missing.getOriginalMessage());
    assertFalse(Files.exists(dir.resolve("not-mounted")), "a reader never creates a data root");

    ApplicationFailure partial = assertThrows(ApplicationFailure.class,
        () -> new SpecSnapshots().read(ref.toBuilder().clearSha256().build()));
    assertTrue(partial.isNonRetryable());
  }
}
