package selflengthen.activities.support;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import selflengthen.spec.SpecDefaults;
import selflengthen.store.DataStore;
import selflengthen.store.StoreException;
import selflengthen.v1.RunSpec;

/**
 * The data store of a run: its spec's {@code data_root} (relative roots resolve against this
 * process's working directory, as the CLI's {@code --data-root} does). One {@link DataStore} per
 * root and process, so every activity slot shares its manifests. Thread-safe.
 */
public final class DataRoots {
  private final ConcurrentMap<Path, DataStore> stores = new ConcurrentHashMap<>();

  public DataRoots() {}

  /** Starts with stores already open (e.g. the worker's own), reused when a spec names their root. */
  public DataRoots(DataStore... known) {
    for (DataStore s : known) {
      stores.put(s.root(), s);
    }
  }

  /**
   * The store of a spec's data root, opened (created if needed) on first use.
   *
   * @throws io.temporal.failure.ApplicationFailure BAD_INPUT naming {@code data_root} when it is
   *     not a valid path or cannot be created or written
   */
  public DataStore store(RunSpec spec) {
    String text = spec.getDataRoot().isBlank() ? SpecDefaults.DATA_ROOT : spec.getDataRoot();
    Path root;
    try {
      root = Path.of(text).toAbsolutePath().normalize();
    } catch (InvalidPathException e) {
      throw ActivityErrors.badInput("data_root: not a valid path: '" + text + "'");
    }
    DataStore known = stores.get(root);
    if (known != null) {
      return known;
    }
    try {
      return stores.computeIfAbsent(root, DataStore::open);
    } catch (StoreException e) {
      throw ActivityErrors.badInput("data_root: " + e.getMessage(), e);
    }
  }
}
