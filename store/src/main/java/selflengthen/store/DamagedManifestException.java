package selflengthen.store;

/**
 * A run's manifest cannot be trusted (a line that is not a record, or missing while the run's
 * artifacts are there). Retrying does not repair it: the run stops with this message.
 */
public class DamagedManifestException extends StoreException {
  public DamagedManifestException(String message) {
    super(message);
  }
}
