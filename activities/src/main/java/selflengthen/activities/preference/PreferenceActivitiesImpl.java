package selflengthen.activities.preference;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import selflengthen.activities.PreferenceActivities;
import selflengthen.activities.support.DataRoots;
import selflengthen.activities.support.Datasets;
import selflengthen.activities.support.Lineages;
import selflengthen.activities.support.MethodSetup;
import selflengthen.activities.support.RecordedResults;
import selflengthen.method.preference.ExtensionTrace;
import selflengthen.method.preference.PreferencePair;
import selflengthen.method.preference.PreferencePairs;
import selflengthen.method.preference.PreferenceWriters;
import selflengthen.method.preference.PreferenceSpecs;
import selflengthen.store.DataStore;
import selflengthen.store.InputRef;
import selflengthen.v1.BuiltPreferenceSets;
import selflengthen.v1.DatasetRef;
import selflengthen.v1.PreferenceSetsTask;
import selflengthen.v1.RunSpec;

/**
 * buildPreferenceSets: reads the round's extension rows (with their intermediate texts when the
 * extension kept them), makes the pairs of {@link PreferenceSpecs#options}, writes the three files
 * and records them; the pairs file's result record makes a repeated call return at once.
 */
public final class PreferenceActivitiesImpl implements PreferenceActivities {
  public static final String PAIRS = "pairs.jsonl";
  public static final String TRL = "trl.jsonl";
  public static final String DATASET_INFO = "dataset_info.json";

  private final DataRoots roots;

  public PreferenceActivitiesImpl(DataRoots roots) {
    this.roots = roots;
  }

  /** The LLaMA-Factory data set name of round {@code round}'s pairs. */
  public static String datasetName(int round) {
    return "preference_r" + round;
  }

  @Override
  public BuiltPreferenceSets buildPreferenceSets(PreferenceSetsTask task) {
    RunSpec spec = task.getContext().getSpec();
    DataStore store = roots.store(spec);
    String dir = task.getOutputDir();
    String pairsPath = dir + "/" + PAIRS;
    var done = RecordedResults.completed(store, pairsPath, BuiltPreferenceSets.getDefaultInstance());
    if (done.isPresent()) {
      return done.get();
    }
    MethodSetup method = MethodSetup.of(spec);
    List<ExtensionTrace> traces = traces(Datasets.all(store, task.getExtended()), task.getExtended().getPath());
    List<PreferencePair> pairs =
        PreferencePairs.fromExtensions(traces, PreferenceSpecs.options(spec), method.profile(), task.getSeed());
    String name = datasetName(task.getContext().getRound());
    Path root = store.resolve(dir);
    int llamaRows;
    try {
      Files.createDirectories(root);
      PreferenceWriters.writePairs(root.resolve(PAIRS + ".tmp"), pairs);
      llamaRows = PreferenceWriters.writeLlamaFactory(root, name, pairs);
      PreferenceWriters.writeTrl(root.resolve(TRL), pairs);
    } catch (IOException e) {
      throw new IllegalStateException("cannot write the preference sets under " + dir + ": " + e.getMessage(), e);
    }
    List<InputRef> inputs = List.of(InputRef.of(task.getExtended()));
    DatasetRef llama = ref(store, dir + "/" + name + ".json", llamaRows);
    DatasetRef trl = ref(store, dir + "/" + TRL, pairs.size());
    String info = dir + "/" + DATASET_INFO;
    store.record(llama, Lineages.of(task.getContext(), inputs));
    store.record(trl, Lineages.of(task.getContext(), inputs));
    store.record(info, 1, Lineages.of(task.getContext(), List.of(InputRef.of(llama))));
    // The pairs file last: its name appears only once every other file is in place.
    try {
      Files.move(root.resolve(PAIRS + ".tmp"), root.resolve(PAIRS),
          java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new IllegalStateException("cannot move " + pairsPath + " into place: " + e.getMessage(), e);
    }
    BuiltPreferenceSets result =
        BuiltPreferenceSets.newBuilder()
            .setPairs(ref(store, pairsPath, pairs.size()))
            .setLlamaFactory(llama)
            .setDatasetInfoPath(info)
            .setDatasetName(name)
            .setTrl(trl)
            .build();
    RecordedResults.record(store, result.getPairs(), Lineages.of(task.getContext(), inputs), result);
    return result;
  }

  /** Each extension row as the attempt it records (steps and refused candidates when kept). */
  static List<ExtensionTrace> traces(List<JsonNode> rows, String path) {
    List<ExtensionTrace> out = new ArrayList<>(rows.size());
    for (int i = 0; i < rows.size(); i++) {
      JsonNode row = rows.get(i);
      out.add(new ExtensionTrace(
          row.path("row").asLong(i),
          row.path("attempt").asInt(0),
          Datasets.instruction(row, path, i),
          Datasets.text(row, "response", path, i),
          Datasets.text(row, "extended", path, i),
          texts(row.path("steps")),
          texts(row.path("check_rejected"))));
    }
    return out;
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    if (array.isArray()) {
      array.forEach(n -> out.add(n.asText()));
    }
    return out;
  }

  private static DatasetRef ref(DataStore store, String path, long rows) {
    return DatasetRef.newBuilder().setPath(path).setCount(rows).setSha256(store.sha256(path)).build();
  }
}
