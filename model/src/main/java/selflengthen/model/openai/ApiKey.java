package selflengthen.model.openai;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Map;
import selflengthen.model.secret.SecretSource;

/**
 * A bearer token for an OpenAI-compatible endpoint. It is read from an environment variable or a
 * file, never given on a command line or in a spec, and its {@link #toString} names only where it
 * came from, so it cannot leak into logs, exceptions or Temporal payloads by accident.
 */
public final class ApiKey {
  private final String value;
  private final String source;

  private ApiKey(String value, String source) {
    this.value = value;
    this.source = source;
  }

  /** The key held by environment variable {@code variable} of {@code environment}. */
  public static ApiKey fromEnvironment(String variable, Map<String, String> environment) {
    return read(SecretSource.env(variable), environment);
  }

  public static ApiKey fromEnvironment(String variable) {
    return fromEnvironment(variable, System.getenv());
  }

  /** The first line of {@code file}, surrounding white space removed. */
  public static ApiKey fromFile(Path file) {
    return read(SecretSource.file(file), System.getenv());
  }

  /**
   * Builds a key from at most one of an environment variable name and a file; null when neither.
   */
  public static ApiKey fromEnvironmentOrFile(String variable, Path file) {
    SecretSource source = SecretSource.either(variable, file,
        "give the API key by environment variable or by file, not both");
    return source == null ? null : read(source, System.getenv());
  }

  /** The key in {@code source}: its first line, surrounding white space removed. */
  public static ApiKey read(SecretSource source, Map<String, String> environment) {
    String value = source.readText(environment).lines().findFirst().orElse("").strip();
    if (value.isEmpty()) {
      throw new SecretSource.SecretException("the API key in " + source + " is empty");
    }
    return new ApiKey(value, source.label());
  }

  /** The value of an HTTP Authorization header carrying this key. */
  public String authorizationHeader() {
    return "Bearer " + value;
  }

  /** Whether an Authorization header value carries this key (constant time in the key's length). */
  public boolean acceptsAuthorizationHeader(String header) {
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return false;
    }
    byte[] presented = header.substring(7).strip().getBytes(StandardCharsets.UTF_8);
    return MessageDigest.isEqual(presented, value.getBytes(StandardCharsets.UTF_8));
  }

  /** Where the key came from (env:NAME or file:PATH); never the key. */
  public String source() {
    return source;
  }

  @Override
  public String toString() {
    return "ApiKey(" + source + ")";
  }
}
