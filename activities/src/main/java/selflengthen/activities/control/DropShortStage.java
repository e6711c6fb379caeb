package selflengthen.activities.control;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import selflengthen.activities.support.DataRoots;
import selflengthen.activities.support.Datasets;
import selflengthen.activities.support.Lengths;
import selflengthen.activities.support.Lineages;
import selflengthen.activities.support.MethodSetup;
import selflengthen.activities.support.RecordedResults;
import selflengthen.method.DropShort;
import selflengthen.method.LanguageProfile;
import selflengthen.method.ShardSeeds;
import selflengthen.store.DataStore;
import selflengthen.store.InputRef;
import selflengthen.store.JsonlWriter;
import selflengthen.v1.DatasetRef;
import selflengthen.v1.DropShortTask;
import selflengthen.v1.RunSpec;
import selflengthen.v1.StageResult;

/**
 * dropShort over a whole dataset (steps 3 and 4 of a round): ranks every row by its words, keeps each
 * with probability 1 - factor r^exponent, drawing with the task's seed in row order. Two passes
 * over the file (lengths, then rows), so the texts never sit in memory together.
 */
final class DropShortStage {
  private final DataRoots roots;

  DropShortStage(DataRoots roots) {
    this.roots = roots;
  }

  StageResult run(DropShortTask task) {
    RunSpec spec = task.getContext().getSpec();
    DataStore store = roots.store(spec);
    var done = RecordedResults.completed(store, task.getOutputPath(), StageResult.getDefaultInstance());
    if (done.isPresent()) {
      return done.get();
    }
    LanguageProfile profile = MethodSetup.of(spec).profile();
    DatasetRef input = task.getInput();
    Datasets.require(store, input.getPath());
    List<Integer> all = new ArrayList<>();
    try (Stream<JsonNode> rows = store.streamJsonl(input.getPath(), JsonNode.class)) {
      rows.forEach(r -> all.add(RowTexts.words(r, profile)));
    }
    int[] words = all.stream().mapToInt(Integer::intValue).toArray();
    boolean[] keep =
        DropShort.of(spec.getDropShort())
            .map(d -> d.keep(words, ShardSeeds.random(task.getSeed())))
            .orElseGet(() -> allTrue(words.length));
    List<Integer> kept = new ArrayList<>();
    DatasetRef output;
    try (JsonlWriter out = store.newJsonlWriter(task.getOutputPath());
        Stream<JsonNode> rows = store.streamJsonl(input.getPath(), JsonNode.class)) {
      int i = 0;
      for (JsonNode row : (Iterable<JsonNode>) rows::iterator) {
        if (keep[i]) {
          out.write(row);
          kept.add(words[i]);
        }
        i++;
      }
      output = out.commit();
    }
    StageResult result =
        StageResult.newBuilder()
            .setName(task.getContext().getStage())
            .setOutput(output)
            .setSamplesIn(words.length)
            .setSamplesOut(output.getCount())
            .setLengths(Lengths.of(kept))
            .build();
    RecordedResults.record(store, output, Lineages.of(task.getContext(), List.of(InputRef.of(input))), result);
    return result;
  }

  private static boolean[] allTrue(int n) {
    boolean[] b = new boolean[n];
    java.util.Arrays.fill(b, true);
    return b;
  }
}
