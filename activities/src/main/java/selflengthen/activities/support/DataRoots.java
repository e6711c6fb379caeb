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
 * The data store of a run: its spec's {@code data_root}, or, when the spec leaves it unset, this
 * worker's configured data root (the first store it was given), never the worker's working
 * directory. One {@link DataStore} per root and process, so every activity slot shares its
 * manifests. Thread-safe.
 */
public final class DataRoots {
  private final ConcurrentMap<Path, DataStore> stores = new ConcurrentHashMap<>();
  private final Path defaultRoot;

  public DataRoots() {
    this.defaultRoot = Path.of(SpecDefaults.DATA_ROOT).toAbsolutePath().normalize();
  }

  /**
   * Starts with stores already open (e.g. the worker's own), reused when a spec names their root;
   * the first is the root of specs that name none.
   */
  public DataRoots(DataStore... known) {
    for (DataStore s : known) {
      stores.put(s.root(), s);
    }
    this.defaultRoot =
        known.length > 0 ? known[0].root() : Path.of(SpecDefaults.DATA_ROOT).toAbsolutePath().normalize();
  }

  /** Where a spec without data_root keeps its run: this worker's configured data root. */
  public Path defaultRoot() {
    return defaultRoot;
  }

  /**
   * The store of a spec's data root, opened (created if needed) on first use.
   *
   * @throws io.temporal.failure.ApplicationFailure BAD_INPUT naming {@code data_root} when it is
   *     not a valid path or cannot be created or written
   */
  public DataStore store(RunSpec spec) {
    String text = spec.getDataRoot().isBlank() ? defaultRoot.toString() : spec.getDataRoot();
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
