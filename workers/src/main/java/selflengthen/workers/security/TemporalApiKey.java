package selflengthen.workers.security;

import java.util.Map;
import selflengthen.model.secret.SecretSource;

/**
 * A Temporal API key (Temporal Cloud or a server with an authorizer), sent with every call as
 * {@code authorization: Bearer <key>}. {@link #toString} names where it came from, never the key.
 */
public final class TemporalApiKey {
  private final String key;
  private final SecretSource source;

  private TemporalApiKey(String key, SecretSource source) {
    this.key = key;
    this.source = source;
  }

  public static TemporalApiKey read(SecretSource source) {
    return read(source, System.getenv());
  }

  static TemporalApiKey read(SecretSource source, Map<String, String> environment) {
    String key = source.readText(environment);
    if (key.isEmpty()) {
      throw new SecretSource.SecretException("the API key in " + source + " is empty");
    }
    if (key.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
      throw new SecretSource.SecretException("the API key in " + source
          + " has whitespace or non-ASCII characters inside it (one key per file, nothing else)");
    }
    return new TemporalApiKey(key, source);
  }

  /** The key itself: only for the gRPC metadata provider. */
  public String value() {
    return key;
  }

  public SecretSource source() {
    return source;
  }

  @Override
  public String toString() {
    return "TemporalApiKey[from " + source + "]";
  }
}
