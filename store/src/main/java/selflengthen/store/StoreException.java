package selflengthen.store;

/** A data store operation failed (I/O, or a lock held by another writer). Usually worth a retry. */
public class StoreException extends RuntimeException {
  public StoreException(String message) {
    super(message);
  }

  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
