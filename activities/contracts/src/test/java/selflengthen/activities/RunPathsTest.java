package selflengthen.activities;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RunPathsTest {
  @Test
  void shardAndStagePathsFollowTheLayout() {
    assertEquals("runs/r1/round-2/respond/shard-00003.jsonl", RunPaths.shardOutput("r1", 2, Stages.RESPOND, 3));
    assertEquals("runs/r1/round-2/respond/responses.jsonl", RunPaths.stageOutput("r1", 2, Stages.RESPOND));
    assertEquals("runs/r1/round-1/self_instruct/pool.jsonl", RunPaths.pool("r1", 1));
    assertEquals("runs/r1/round-1/train_generator/adapter", RunPaths.adapterDir("r1", 1, Roles.GENERATOR));
    assertEquals("runs/r1/round-1/training_sets/extender.json", RunPaths.trainingSet("r1", 1, Roles.EXTENDER));
    assertEquals("runs/r1/spec.json", RunPaths.specFile("r1"));
  }

  @Test
  void callIds() {
    assertEquals("r1/round-3", CallIds.round("r1", 3));
    assertEquals("r1/round-3/extend/shard-12", CallIds.shard("r1", 3, Stages.EXTEND, 12));
  }

  @Test
  void seedsAreStableAndDistinct() {
    assertEquals(Seeds.derive(42, 1, Stages.RESPOND, 0), Seeds.derive(42, 1, Stages.RESPOND, 0));
    Set<Long> seen = new HashSet<>();
    for (int round = 0; round < 3; round++) {
      for (String stage : Stages.ROUND) {
        for (int i = 0; i < 50; i++) {
          seen.add(Seeds.derive(42, round, stage, i));
        }
      }
    }
    assertEquals(3 * Stages.ROUND.size() * 50, seen.size());
    assertNotEquals(Seeds.derive(42, 1, Stages.RESPOND, 0), Seeds.derive(43, 1, Stages.RESPOND, 0));
  }
}
