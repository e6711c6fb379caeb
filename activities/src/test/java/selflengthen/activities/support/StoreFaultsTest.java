package selflengthen.activities.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import selflengthen.store.DamagedManifestException;
import selflengthen.store.StoreException;
import selflengthen.v1.RunSpec;
import selflengthen.v1.ShardTask;
import selflengthen.v1.StageContext;

class StoreFaultsTest {
  private static final ShardTask TASK =
      ShardTask.newBuilder()
          .setContext(
              StageContext.newBuilder()
                  .setSpec(RunSpec.newBuilder().setRunId("r1"))
                  .setRound(2)
                  .setStage("respond")
                  .setCallId("r1/round-2/respond/shard-7"))
          .setOutputPath("runs/r1/round-2/respond/shard-00007.jsonl")
          .build();

  @Test
  void permissionDeniedFailsAtOnceNamingPathStageAndShard() {
    StoreException denied =
        new StoreException(
            "cannot open runs/r1/round-2/respond/shard-00007.jsonl for appending: /data/runs/r1/x",
            new AccessDeniedException("/data/runs/r1/round-2/respond/shard-00007.jsonl.partial"));
    ApplicationFailure f =
        StoreFaults.failure("runShard", new Object[] {TASK}, denied).orElseThrow();
    assertTrue(f.isNonRetryable());
    assertEquals(StoreFaults.STORE_FAULT, f.getType());
    assertEquals(
        "run r1, round 2, stage respond, shard 7 (activity runShard): cannot open"
            + " runs/r1/round-2/respond/shard-00007.jsonl for appending: /data/runs/r1/x"
            + " [permission denied on /data/runs/r1/round-2/respond/shard-00007.jsonl.partial];"
            + " not retried: fix the data store, then `selflengthen resume r1`",
        f.getOriginalMessage());
  }

  @Test
  void aFullDiskFailsAtOnce() {
    StoreException full =
        new StoreException(
            "cannot append to runs/r1/round-2/respond/shard-00007.jsonl: No space left on device",
            new IOException("No space left on device"));
    ApplicationFailure f =
        StoreFaults.failure("runShard", new Object[] {TASK}, full).orElseThrow();
    assertTrue(f.isNonRetryable());
    assertTrue(f.getOriginalMessage().contains("shard 7")
        && f.getOriginalMessage().contains("runs/r1/round-2/respond/shard-00007.jsonl")
        && f.getOriginalMessage().contains("[disk full (no space left on device)]"),
        f.getOriginalMessage());
  }

  @Test
  void aDamagedManifestFailsAtOnce() {
    assertEquals(
        Optional.of("damaged manifest"),
        StoreFaults.deterministicCause(new DamagedManifestException("runs/r1/manifest.jsonl is damaged")));
  }

  @Test
  void otherFailuresKeepTheirRetries() {
    assertEquals(
        Optional.empty(),
        StoreFaults.failure(
            "runShard",
            new Object[] {TASK},
            new StoreException("runs/x is being written by another writer (x.lock is locked)")));
    assertEquals(
        Optional.empty(),
        StoreFaults.failure("runShard", new Object[] {TASK}, new IllegalStateException("boom")));
    assertEquals(
        Optional.empty(),
        StoreFaults.failure(
            "runShard",
            new Object[] {TASK},
            ApplicationFailure.newFailure("permission denied", "X")),
        "failures the activity typed itself are left as they are");
  }
}
