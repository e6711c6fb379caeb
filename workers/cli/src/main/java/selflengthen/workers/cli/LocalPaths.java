package selflengthen.workers.cli;

import java.nio.file.Path;
import selflengthen.v1.ModelRef;
import selflengthen.v1.RunSpec;

/**
 * Makes the spec's local paths absolute against the directory the user typed them in, so workers
 * (started elsewhere) read the files the user meant. Adapters stay as written: they are relative
 * to the data root.
 */
final class LocalPaths {
  private LocalPaths() {}

  static RunSpec absolutize(RunSpec spec) {
    RunSpec.Builder b = spec.toBuilder();
    b.setDataRoot(abs(b.getDataRoot()));
    b.getSelfInstructBuilder().setSeedFile(abs(b.getSelfInstruct().getSeedFile()));
    b.getMeasurementBuilder().setHeldOutFile(abs(b.getMeasurement().getHeldOutFile()));
    b.getMeasurementBuilder().setTasksFile(abs(b.getMeasurement().getTasksFile()));
    if (!b.getEvaluation().getDataset().isEmpty()) {
      b.getEvaluationBuilder().setDataset(abs(b.getEvaluation().getDataset()));
    }
    var models = b.getModelsBuilder();
    models.setBaseModel(abs(models.getBaseModel()));
    models.setGenerator(role(models.getGenerator()));
    models.setExtender(role(models.getExtender()));
    models.setJudge(role(models.getJudge()));
    if (models.hasLengthControl()) {
      models.setLengthControl(role(models.getLengthControl()));
    }
    return b.build();
  }

  private static ModelRef role(ModelRef r) {
    return r.toBuilder().setPath(abs(r.getPath())).setApiKeyFile(abs(r.getApiKeyFile())).build();
  }

  private static String abs(String path) {
    if (path.isEmpty()) {
      return path;
    }
    try {
      return Path.of(path).toAbsolutePath().normalize().toString();
    } catch (java.nio.file.InvalidPathException e) {
      return path; // the validator names it
    }
  }
}
