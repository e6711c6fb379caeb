package selflengthen.activities.inference;

import selflengthen.method.ShardSeeds;
import selflengthen.v1.StageContext;

/**
 * A stage's per-row seeds: {@link ShardSeeds#sample} of the run seed, round, stage and the row's
 * global index, so a sample's randomness does not depend on how the stage was cut into shards.
 */
record UnitSeeds(long runSeed, int round, String stage) {
  static UnitSeeds of(StageContext context) {
    return new UnitSeeds(context.getSpec().getSeed(), context.getRound(), context.getStage());
  }

  long sample(long row) {
    return ShardSeeds.sample(runSeed, round, stage, row);
  }
}
