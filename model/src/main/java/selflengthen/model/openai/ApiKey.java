package selflengthen.model.openai;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Map;

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
    String value = environment.get(variable);
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(
          "environment variable " + variable + " (API key) is not set");
    }
    return new ApiKey(value.strip(), "env:" + variable);
  }

  public static ApiKey fromEnvironment(String variable) {
    return fromEnvironment(variable, System.getenv());
  }

  /** The first line of {@code file}, surrounding white space removed. */
  public static ApiKey fromFile(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the API key file " + file, e);
    }
    String value = text.strip().lines().findFirst().orElse("").strip();
    if (value.isEmpty()) {
      throw new IllegalArgumentException("API key file " + file + " is empty");
    }
    return new ApiKey(value, "file:" + file);
  }

  /**
   * Builds a key from at most one of an environment variable name and a file; null when neither.
   */
  public static ApiKey fromEnvironmentOrFile(String variable, Path file) {
    boolean hasVariable = variable != null && !variable.isBlank();
    if (hasVariable && file != null) {
      throw new IllegalArgumentException(
          "give the API key by environment variable or by file, not both");
    }
    if (hasVariable) {
      return fromEnvironment(variable);
    }
    return file != null ? fromFile(file) : null;
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
