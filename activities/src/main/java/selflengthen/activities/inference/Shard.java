package selflengthen.activities.inference;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import selflengthen.activities.models.ModelProvider;
import selflengthen.activities.models.RoleModels;
import selflengthen.activities.support.DataRoots;
import selflengthen.store.DataStore;
import selflengthen.store.InputRef;
import selflengthen.v1.AdapterRef;
import selflengthen.v1.RunSpec;
import selflengthen.v1.Sampling;
import selflengthen.v1.ShardRef;
import selflengthen.v1.ShardSummary;
import selflengthen.v1.ShardTask;

/**
 * One inference shard as every stage starts it: its spec, store and {@link ShardRunner}. {@link
 * #run} returns the recorded summary of a shard the store already holds complete, so a redone shard
 * never generates again; otherwise it hands the shard to the stage's body.
 */
record Shard(ShardTask task, RunSpec spec, DataStore store, ShardRunner runner) {

  static ShardSummary run(DataRoots roots, Duration poll, ShardTask task, Function<Shard, ShardSummary> body) {
    RunSpec spec = task.getContext().getSpec();
    DataStore store = roots.store(spec);
    ShardRunner runner = new ShardRunner(store, task, poll);
    var done = runner.completed();
    if (done.isPresent()) {
      return done.get();
    }
    return body.apply(new Shard(task, spec, store, runner));
  }

  ShardRef ref() {
    return task.getShard();
  }

  /** A role's generation; the first call for a checkpoint loads it, heartbeating meanwhile. */
  Generation generation(ModelProvider models, String role, AdapterRef adapter, Sampling sampling, int maxNewTokens) {
    RoleModels.Resolved resolved = RoleModels.resolve(store, spec, role, adapter);
    int batch = spec.getModels().getMaxBatchSize();
    return new Generation(
        runner.heartbeating(() -> models.model(resolved.ref(), batch)), resolved, sampling, maxNewTokens);
  }

  /** The task's own role and adapter. */
  Generation generation(ModelProvider models, Sampling sampling, int maxNewTokens) {
    return generation(models, task.getRole(), task.getAdapter(), sampling, maxNewTokens);
  }

  /** Every unit of the shard: each of its rows times {@code perRow}, in commit order. */
  List<Unit> units(int perRow) {
    ShardRef shard = ref();
    List<Unit> units = new ArrayList<>((int) shard.getRowCount() * perRow);
    for (long r = shard.getFirstRow(); r < shard.getFirstRow() + shard.getRowCount(); r++) {
      for (int j = 0; j < perRow; j++) {
        units.add(new Unit(r, j));
      }
    }
    return units;
  }

  /** Units in flight: as many as the engine batches, so one shard can fill a batch. */
  int threads() {
    return Math.max(1, spec.getModels().getMaxBatchSize());
  }

  /** The input the shard's output derives from (the manifest's lineage). */
  List<InputRef> inputs() {
    return List.of(InputRef.of(ref().getInput()));
  }
}
