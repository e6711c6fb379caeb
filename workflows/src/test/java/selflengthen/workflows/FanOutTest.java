package selflengthen.workflows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import selflengthen.v1.RoundSettings;

/** The arithmetic of the straggler cut and the forwarding of settings. */
class FanOutTest {
  @Test
  void shardsNeededBeforeTheCut() {
    assertEquals(19, ShardedStage.needed(20, 0.95));
    assertEquals(95, ShardedStage.needed(100, 0.95));
    assertEquals(8, ShardedStage.needed(8, 0.95), "ceil(7.6)");
    assertEquals(3, ShardedStage.needed(5, 0.6));
    assertEquals(1, ShardedStage.needed(1, 0.01), "a non-empty stage needs one shard");
    assertEquals(0, ShardedStage.needed(0, 0.95));
    assertEquals(7, ShardedStage.needed(7, 0), "unset fraction = wait for every shard");
  }

  @Test
  void forwardedSettingsApplyOnlyWhenNewer() {
    FanOutSettings round = FanOutSettings.from(RoundSettings.newBuilder().setMaxConcurrentShards(8).setVersion(3).build());
    assertFalse(round.apply(RoundSettings.newBuilder().setPaused(true).setMaxConcurrentShards(2).setVersion(3).build()));
    assertEquals(8, round.limit());
    assertTrue(round.apply(RoundSettings.newBuilder().setPaused(true).setMaxConcurrentShards(2).setVersion(5).build()));
    assertTrue(round.paused());
    assertEquals(2, round.limit());
    assertFalse(round.apply(RoundSettings.newBuilder().setMaxConcurrentShards(9).setVersion(4).build()));
    assertEquals(2, round.limit());
  }

  @Test
  void everyChangeBumpsTheVersion() {
    FanOutSettings run = new FanOutSettings(false, 0, 0);
    assertEquals(1, run.limit(), "at least one shard before the spec is resolved");
    run.setLimitIfUnset(8);
    assertEquals(8, run.limit());
    run.setLimitIfUnset(3);
    assertEquals(8, run.limit());
    run.setPaused(true);
    run.setLimit(16);
    assertEquals(2, run.version());
    assertEquals(RoundSettings.newBuilder().setPaused(true).setMaxConcurrentShards(16).setVersion(2).build(), run.toMessage());
  }

  @Test
  void shardsQueuedAheadOfTheLimit() {
    FanOutSettings s = new FanOutSettings(false, 8, 0);
    assertEquals(8, s.inFlight(0), "0: exactly the limit, as before the backlog existed");
    assertEquals(11, s.inFlight(3));
    s.setLimit(16);
    assertEquals(19, s.inFlight(3), "the limit follows a parallelism update, the backlog stays");
  }

  @Test
  void parallelismBounds() {
    assertNull(FanOutSettings.checkLimit(1));
    assertNull(FanOutSettings.checkLimit(1024));
    assertNotNull(FanOutSettings.checkLimit(0));
    assertNotNull(FanOutSettings.checkLimit(1025));
  }
}
