package selflengthen.activities.control;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Stream;
import selflengthen.activities.support.DataRoots;
import selflengthen.activities.support.Datasets;
import selflengthen.activities.support.Lengths;
import selflengthen.activities.support.Lineages;
import selflengthen.activities.support.MethodSetup;
import selflengthen.activities.support.RecordedResults;
import selflengthen.method.LengthControl;
import selflengthen.method.ShardSeeds;
import selflengthen.method.SftRows;
import selflengthen.model.api.SftExample;
import selflengthen.store.DataStore;
import selflengthen.store.InputRef;
import selflengthen.v1.DatasetRef;
import selflengthen.v1.LengthControlResult;
import selflengthen.v1.LengthControlTask;
import selflengthen.v1.RunSpec;
import selflengthen.v1.StageResult;

/**
 * lengthControl: the rows of long.jsonl whose response is in the length window, each query
 * rewritten with a length constraint the response meets (type and rounding drawn with the task's
 * seed in row order), as an LLaMA-Factory SFT set with its dataset_info.json ("length_control").
 */
final class LengthControlStage {
  static final String DATASET_NAME = "length_control";

  private final DataRoots roots;

  LengthControlStage(DataRoots roots) {
    this.roots = roots;
  }

  LengthControlResult run(LengthControlTask task) {
    RunSpec spec = task.getContext().getSpec();
    DataStore store = roots.store(spec);
    var done = RecordedResults.completed(store, task.getOutputPath(), LengthControlResult.getDefaultInstance());
    if (done.isPresent()) {
      return done.get();
    }
    MethodSetup method = MethodSetup.of(spec);
    LengthControl control =
        new LengthControl(method.prompts(), LengthControl.Settings.of(spec.getLengthControl()));
    SplittableRandom random = ShardSeeds.random(task.getSeed());
    String path = task.getLongSet().getPath();
    Datasets.require(store, path);
    List<SftExample> rows = new ArrayList<>();
    List<Integer> words = new ArrayList<>();
    Map<String, Long> perType = new TreeMap<>();
    long in = 0;
    try (Stream<JsonNode> long_ = store.streamJsonl(path, JsonNode.class)) {
      for (JsonNode row : (Iterable<JsonNode>) long_::iterator) {
        String query = Datasets.text(row, "query", path, in);
        String response = Datasets.text(row, "response", path, in);
        in++;
        Optional<LengthControl.Constrained> c = control.apply(query, response, random);
        if (c.isEmpty()) {
          continue;
        }
        rows.add(new SftExample(c.get().constrainedQuery(), "", response));
        words.add(c.get().words());
        perType.merge(c.get().constraint().type().label(), 1L, Long::sum);
      }
    }
    DatasetRef output = TrainingSetsStage.write(store, task.getOutputPath(), rows);
    Path info = store.resolve(task.getDatasetInfoPath());
    try {
      SftRows.putDatasetInfo(info, DATASET_NAME, TrainingSetsStage.relativeTo(info, store.resolve(output.getPath())));
    } catch (IOException e) {
      throw new IllegalStateException("cannot write " + task.getDatasetInfoPath() + ": " + e.getMessage(), e);
    }
    store.record(task.getDatasetInfoPath(), 1, Lineages.of(task.getContext(), List.of(InputRef.of(output))));
    LengthControlResult result =
        LengthControlResult.newBuilder()
            .setStage(
                StageResult.newBuilder()
                    .setName(task.getContext().getStage())
                    .setOutput(output)
                    .setSamplesIn(in)
                    .setSamplesOut(output.getCount())
                    .setLengths(Lengths.of(words)))
            .putAllPerType(perType)
            .build();
    RecordedResults.record(store, output, Lineages.of(task.getContext(), List.of(InputRef.of(task.getLongSet()))), result);
    return result;
  }
}
