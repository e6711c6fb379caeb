package selflengthen.workers.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The data root on this machine. */
public final class DataRootOption {
  @Option(
      names = "--data-root",
      paramLabel = "DIR",
      defaultValue = "${env:SELFLENGTHEN_DATA_ROOT:-./selflengthen-data}",
      description = "Data store root (env SELFLENGTHEN_DATA_ROOT; default ${DEFAULT-VALUE}).")
  Path dataRoot;

  public Path dataRoot() {
    return dataRoot;
  }
}
