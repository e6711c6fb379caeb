package selflengthen.workflows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import selflengthen.v1.LengthStats;
import selflengthen.v1.ShardSummary;
import selflengthen.v1.StageProgress;
import selflengthen.v1.StageResult;
import selflengthen.v1.StageState;

class StageBoardTest {
  private final AtomicLong now = new AtomicLong(1_000);
  private final StageBoard board = new StageBoard(List.of("a", "b"), List.of(), 0, now::get);

  @Test
  void aStageHasEndedOnceDoneOrSkippedNotWhileRunningOrFailed() {
    assertFalse(board.ended("a"), "pending");
    board.begin("a");
    assertFalse(board.ended("a"), "running");
    board.finish("a", StageResult.getDefaultInstance());
    assertTrue(board.ended("a"));
    board.skip("b", StageResult.getDefaultInstance());
    assertTrue(board.ended("b"));
    board.begin("c");
    board.fail("c");
    assertFalse(board.ended("c"), "failed");
    assertFalse(board.ended("unknown"));
  }

  @Test
  void progressOfARunningStageWithElapsedTimeAndEta() {
    board.begin("a");
    board.planned("a", 10, 8);
    for (int i = 0; i < 3; i++) {
      board.shardStarted("a");
    }
    now.addAndGet(4_000);
    board.shardFinished("a", summary(4, 100));
    board.shardFinished("a", summary(2, 400));
    StageProgress a = board.snapshot().get(0);
    assertEquals(StageState.STAGE_STATE_RUNNING, a.getState());
    assertEquals(2, a.getShardsDone());
    assertEquals(1, a.getShardsRunning());
    assertEquals(6, a.getSamples());
    assertEquals(200, a.getMeanWords(), 1e-9, "weighted by rows");
    assertEquals(4_000, a.getElapsedMs());
    assertEquals(12_000, a.getEtaMs(), "2 s per shard, 6 more needed for the cut");
    assertEquals(StageState.STAGE_STATE_PENDING, board.snapshot().get(1).getState());
  }

  @Test
  void etaIsUnknownBeforeTheFirstShardFinishes() {
    board.begin("a");
    board.planned("a", 4, 4);
    board.shardStarted("a");
    now.addAndGet(500);
    assertEquals(-1, board.snapshot().get(0).getEtaMs());
  }

  @Test
  void stateChangesAreUrgentShardEventsAreNot() {
    board.begin("a");
    long urgent = board.urgentSeq();
    assertEquals(board.seq(), urgent);
    board.planned("a", 2, 2);
    assertTrue(board.urgentSeq() > urgent);
    urgent = board.urgentSeq();
    board.shardStarted("a");
    board.shardFinished("a", summary(1, 10));
    assertEquals(urgent, board.urgentSeq());
    assertTrue(board.seq() > urgent);
    board.finish("a", StageResult.newBuilder().setSamplesOut(1).setElapsedMs(7).build());
    assertEquals(board.seq(), board.urgentSeq());
    StageProgress a = board.snapshot().get(0);
    assertEquals(StageState.STAGE_STATE_DONE, a.getState());
    assertEquals(7, a.getElapsedMs());
    assertEquals(0, a.getShardsRunning());
  }

  @Test
  void carriedProgressSurvivesContinueAsNew() {
    board.begin("a");
    board.skip("a", StageResult.newBuilder().setSamplesOut(5).build());
    StageBoard next = new StageBoard(List.of("a", "b"), board.snapshot(), board.seq(), now::get);
    assertEquals(StageState.STAGE_STATE_SKIPPED, next.snapshot().get(0).getState());
    assertEquals(5, next.snapshot().get(0).getSamples());
    assertEquals(board.seq(), next.seq());
  }

  private static ShardSummary summary(long rows, double meanWords) {
    return ShardSummary.newBuilder()
        .setSamplesOut(rows)
        .setLengths(LengthStats.newBuilder().setCount(rows).setMeanWords(meanWords))
        .build();
  }
}
