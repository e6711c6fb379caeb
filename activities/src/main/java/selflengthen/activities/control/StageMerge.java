package selflengthen.activities.control;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import selflengthen.activities.Stages;
import selflengthen.activities.rows.PoolRow;
import selflengthen.activities.support.DataRoots;
import selflengthen.activities.support.Datasets;
import selflengthen.activities.support.Lengths;
import selflengthen.activities.support.Lineages;
import selflengthen.activities.support.MethodSetup;
import selflengthen.activities.support.RecordedResults;
import selflengthen.method.LanguageProfile;
import selflengthen.method.NearDuplicates;
import selflengthen.store.DataStore;
import selflengthen.store.InputRef;
import selflengthen.store.JsonlWriter;
import selflengthen.v1.DatasetRef;
import selflengthen.v1.MergeStageTask;
import selflengthen.v1.MergedStage;
import selflengthen.v1.RunSpec;
import selflengthen.v1.ShardSummary;
import selflengthen.v1.StageResult;

/**
 * mergeStage: the finished shards' rows in shard order into the stage's output. For self-instruct
 * the new instructions also pass a near-duplicate filter against the pool and each other (shards
 * only checked against the pool), and the new pool = old pool + the kept ones is written. Recording
 * the merged output is what tells straggler shards their stage has ended.
 */
final class StageMerge {
  private final DataRoots roots;

  StageMerge(DataRoots roots) {
    this.roots = roots;
  }

  MergedStage merge(MergeStageTask task) {
    RunSpec spec = task.getContext().getSpec();
    DataStore store = roots.store(spec);
    var done = RecordedResults.completed(store, task.getOutputPath(), MergedStage.getDefaultInstance());
    if (done.isPresent()) {
      return done.get();
    }
    LanguageProfile profile = MethodSetup.of(spec).profile();
    boolean selfInstruct = task.getContext().getStage().equals(Stages.SELF_INSTRUCT);
    List<ShardSummary> shards =
        task.getFinishedList().stream().sorted(Comparator.comparingInt(ShardSummary::getIndex)).toList();
    for (ShardSummary s : shards) {
      if (!store.isComplete(s.getOutput().getPath())) {
        // Retryable: on a shared file system the shard's last write may not be visible here yet.
        throw new IllegalStateException("shard " + s.getOutput().getPath() + " is not recorded complete in the store");
      }
    }

    NearDuplicates filter = null;
    List<JsonNode> oldPool = List.of();
    if (selfInstruct && task.hasPool()) {
      oldPool = Datasets.all(store, task.getPool());
      filter = NearDuplicates.of(spec.getSelfInstruct());
      for (int i = 0; i < oldPool.size(); i++) {
        filter.add(Datasets.instruction(oldPool.get(i), task.getPool().getPath(), i));
      }
    }
    List<Integer> words = new ArrayList<>();
    long capped = 0;
    List<String> accepted = new ArrayList<>();
    long nearDuplicates = 0;
    DatasetRef output;
    try (JsonlWriter out = store.newJsonlWriter(task.getOutputPath())) {
      for (ShardSummary s : shards) {
        try (Stream<JsonNode> rows = store.streamJsonl(s.getOutput().getPath(), JsonNode.class)) {
          for (JsonNode row : (Iterable<JsonNode>) rows::iterator) {
            if (filter != null) {
              String instruction = row.path("instruction").asText();
              if (!filter.addIfNovel(instruction)) {
                nearDuplicates++;
                continue;
              }
              accepted.add(instruction);
            }
            out.write(row);
            words.add(RowTexts.words(row, profile));
            if ("length".equals(row.path("finish").asText())) {
              capped++;
            }
          }
        }
      }
      output = out.commit();
    }

    long attempts = shards.stream().mapToLong(ShardSummary::getAttempts).sum();
    long acceptedRows = shards.stream().mapToLong(ShardSummary::getAccepted).sum();
    List<InputRef> inputs = new ArrayList<>();
    shards.forEach(s -> inputs.add(InputRef.of(s.getOutput())));
    StageResult.Builder stage =
        StageResult.newBuilder()
            .setName(task.getContext().getStage())
            .setOutput(output)
            .setSamplesIn(task.getSamplesIn())
            .setSamplesOut(output.getCount())
            .setLengths(Lengths.of(words).toBuilder().setCapped(capped))
            .setShardsCancelled(task.getShardsCancelled());
    shards.forEach(s -> stage.addShards(s.getOutput()));
    MergedStage.Builder merged =
        MergedStage.newBuilder().setStage(stage).setAttempts(attempts).setAccepted(acceptedRows);
    if (filter != null) {
      merged.setNearDuplicates(nearDuplicates);
      String source = "round-" + task.getContext().getRound();
      List<Object> pool = new ArrayList<>(oldPool);
      accepted.forEach(i -> pool.add(new PoolRow(i, source)));
      DatasetRef poolRef = store.writeJsonl(task.getPoolOutputPath(), pool);
      List<InputRef> poolInputs = new ArrayList<>(List.of(InputRef.of(task.getPool())));
      poolInputs.add(InputRef.of(output));
      store.record(poolRef, Lineages.of(task.getContext(), poolInputs));
      merged.setPool(poolRef);
      inputs.add(InputRef.of(task.getPool()));
    }
    MergedStage result = merged.build();
    RecordedResults.record(store, output, Lineages.of(task.getContext(), inputs), result);
    return result;
  }
}
