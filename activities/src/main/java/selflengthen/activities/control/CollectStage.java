package selflengthen.activities.control;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import selflengthen.activities.rows.LongRow;
import selflengthen.activities.support.DataRoots;
import selflengthen.activities.support.Datasets;
import selflengthen.activities.support.Lengths;
import selflengthen.activities.support.Lineages;
import selflengthen.activities.support.MethodSetup;
import selflengthen.activities.support.RecordedResults;
import selflengthen.method.LanguageProfile;
import selflengthen.store.DataStore;
import selflengthen.store.InputRef;
import selflengthen.store.JsonlWriter;
import selflengthen.v1.CollectTask;
import selflengthen.v1.DatasetRef;
import selflengthen.v1.RunSpec;
import selflengthen.v1.StageResult;

/** collect: every round's kept (instruction, extended response) pairs, in round order, into long.jsonl. */
final class CollectStage {
  private static final Pattern ROUND = Pattern.compile("/round-(\\d+)/");

  private final DataRoots roots;

  CollectStage(DataRoots roots) {
    this.roots = roots;
  }

  StageResult run(CollectTask task) {
    RunSpec spec = task.getContext().getSpec();
    DataStore store = roots.store(spec);
    var done = RecordedResults.completed(store, task.getOutputPath(), StageResult.getDefaultInstance());
    if (done.isPresent()) {
      return done.get();
    }
    LanguageProfile profile = MethodSetup.of(spec).profile();
    List<Integer> words = new ArrayList<>();
    long in = 0;
    DatasetRef output;
    try (JsonlWriter out = store.newJsonlWriter(task.getOutputPath())) {
      for (int s = 0; s < task.getSourcesCount(); s++) {
        DatasetRef source = task.getSources(s);
        int round = roundOf(source.getPath(), s + 1);
        Datasets.require(store, source.getPath());
        try (Stream<JsonNode> rows = store.streamJsonl(source.getPath(), JsonNode.class)) {
          long i = 0;
          for (JsonNode row : (Iterable<JsonNode>) rows::iterator) {
            in++;
            String query = Datasets.instruction(row, source.getPath(), i);
            String response =
                row.hasNonNull("extended")
                    ? row.get("extended").asText()
                    : Datasets.text(row, "response", source.getPath(), i);
            int w = profile.countWords(response);
            out.write(new LongRow(query, response, w, round));
            words.add(w);
            i++;
          }
        }
      }
      output = out.commit();
    }
    StageResult result =
        StageResult.newBuilder()
            .setName(task.getContext().getStage())
            .setOutput(output)
            .setSamplesIn(in)
            .setSamplesOut(output.getCount())
            .setLengths(Lengths.of(words))
            .build();
    List<InputRef> inputs = task.getSourcesList().stream().map(InputRef::of).toList();
    RecordedResults.record(store, output, Lineages.of(task.getContext(), inputs), result);
    return result;
  }

  private static int roundOf(String path, int fallback) {
    Matcher m = ROUND.matcher(path);
    return m.find() ? Integer.parseInt(m.group(1)) : fallback;
  }
}
