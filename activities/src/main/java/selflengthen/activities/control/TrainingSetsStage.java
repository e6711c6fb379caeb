package selflengthen.activities.control;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import selflengthen.activities.Roles;
import selflengthen.activities.support.DataRoots;
import selflengthen.activities.support.Datasets;
import selflengthen.activities.support.Lineages;
import selflengthen.activities.support.MethodSetup;
import selflengthen.activities.support.RecordedResults;
import selflengthen.method.SftRows;
import selflengthen.method.SpecFloats;
import selflengthen.method.ShardSeeds;
import selflengthen.model.api.SftExample;
import selflengthen.store.DataStore;
import selflengthen.store.InputRef;
import selflengthen.v1.BuiltTrainingSets;
import selflengthen.v1.DatasetRef;
import selflengthen.v1.RunSpec;
import selflengthen.v1.TrainingSetsTask;

/**
 * buildTrainingSets (step 5 of a round): from each kept extension, a Generator example (instruction
 * -> extended response) and an Extender example (the extension prompt over the initial response
 * with about {@code extender_line_drop} of its lines dropped as mk_data.py drops them, seeded per
 * row -> extended response),
 * written as LLaMA-Factory JSON with a dataset_info.json naming both ("generator", "extender").
 */
final class TrainingSetsStage {
  private final DataRoots roots;

  TrainingSetsStage(DataRoots roots) {
    this.roots = roots;
  }

  BuiltTrainingSets run(TrainingSetsTask task) {
    RunSpec spec = task.getContext().getSpec();
    DataStore store = roots.store(spec);
    var done =
        RecordedResults.completed(store, task.getGeneratorOutputPath(), BuiltTrainingSets.getDefaultInstance());
    if (done.isPresent()) {
      return done.get();
    }
    MethodSetup method = MethodSetup.of(spec);
    double lineDrop = SpecFloats.decimal(spec.getTrainingSets().getExtenderLineDrop());
    String path = task.getExtended().getPath();
    List<JsonNode> rows = Datasets.all(store, task.getExtended());
    List<SftExample> generator = new ArrayList<>(rows.size());
    List<SftExample> extender = new ArrayList<>(rows.size());
    for (int i = 0; i < rows.size(); i++) {
      JsonNode row = rows.get(i);
      String instruction = Datasets.instruction(row, path, i);
      String initial = Datasets.text(row, "response", path, i);
      String extended = Datasets.text(row, "extended", path, i);
      generator.add(SftRows.generatorRow(instruction, extended));
      extender.add(
          SftRows.extenderRow(
              method.prompts(), instruction, initial, extended, lineDrop,
              ShardSeeds.random(ShardSeeds.child(task.getSeed(), "drop-lines", i))));
    }
    DatasetRef gen = write(store, task.getGeneratorOutputPath(), generator);
    DatasetRef ext = write(store, task.getExtenderOutputPath(), extender);
    Path info = store.resolve(task.getDatasetInfoPath());
    try {
      SftRows.putDatasetInfo(info, Roles.GENERATOR, relativeTo(info, store.resolve(gen.getPath())));
      SftRows.putDatasetInfo(info, Roles.EXTENDER, relativeTo(info, store.resolve(ext.getPath())));
    } catch (IOException e) {
      throw new IllegalStateException("cannot write " + task.getDatasetInfoPath() + ": " + e.getMessage(), e);
    }
    List<InputRef> inputs = List.of(InputRef.of(task.getExtended()));
    store.record(ext, Lineages.of(task.getContext(), inputs));
    store.record(task.getDatasetInfoPath(), 2, Lineages.of(task.getContext(), List.of(InputRef.of(gen), InputRef.of(ext))));
    BuiltTrainingSets result =
        BuiltTrainingSets.newBuilder()
            .setGenerator(gen)
            .setExtender(ext)
            .setDatasetInfoPath(task.getDatasetInfoPath())
            .build();
    RecordedResults.record(store, gen, Lineages.of(task.getContext(), inputs), result);
    return result;
  }

  /** Writes a LLaMA-Factory JSON set (atomically) and returns its reference. */
  static DatasetRef write(DataStore store, String path, List<SftExample> rows) {
    try {
      SftRows.writeLlamaFactoryJson(store.resolve(path), rows);
    } catch (IOException e) {
      throw new IllegalStateException("cannot write " + path + ": " + e.getMessage(), e);
    }
    return DatasetRef.newBuilder().setPath(path).setCount(rows.size()).setSha256(store.sha256(path)).build();
  }

  /** dataset_info.json names files relative to its own directory (LLaMA-Factory's dataset_dir). */
  static String relativeTo(Path datasetInfo, Path file) {
    return datasetInfo.getParent().relativize(file).toString().replace('\\', '/');
  }
}
