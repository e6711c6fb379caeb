package selflengthen.model.secret;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where a secret comes from: an environment variable (by name) or a file. The one reader of every
 * secret in the project (OpenAI-compatible bearer tokens, Temporal API keys, payload encryption
 * keys); each key type checks its own form on top. Secrets are never taken from the command line,
 * where every user of the machine can read them ({@code ps}). Error messages name the source,
 * never the secret.
 */
public record SecretSource(Kind kind, String name) {
  public enum Kind { ENV, FILE }

  public static SecretSource env(String variable) {
    return new SecretSource(Kind.ENV, variable);
  }

  public static SecretSource file(Path file) {
    return new SecretSource(Kind.FILE, file.toString());
  }

  /**
   * The source named by at most one of a variable name and a file; null when neither.
   *
   * @param both the refusal when both are given (names the caller's options)
   */
  public static SecretSource either(String variable, Path file, String both) {
    boolean hasVariable = variable != null && !variable.isBlank();
    if (hasVariable && file != null) {
      throw new SecretException(both);
    }
    return hasVariable ? env(variable) : file != null ? file(file) : null;
  }

  /** The secret's bytes, from this process's environment. */
  public byte[] read() {
    return read(System.getenv());
  }

  /** The secret's bytes; a variable must be set and not blank. */
  public byte[] read(Map<String, String> environment) {
    return switch (kind) {
      case ENV -> {
        String value = environment.get(name);
        if (value == null || value.isBlank()) {
          throw new SecretException(this + " is not set");
        }
        yield value.getBytes(StandardCharsets.UTF_8);
      }
      case FILE -> {
        try {
          yield Files.readAllBytes(Path.of(name));
        } catch (IOException e) {
          throw new SecretException("cannot read " + this + ": " + e.getClass().getSimpleName());
        }
      }
    };
  }

  /** The secret as UTF-8 text, surrounding white space removed. */
  public String readText(Map<String, String> environment) {
    return new String(read(environment), StandardCharsets.UTF_8).strip();
  }

  /** Short form for logs: env:NAME or file:PATH. */
  public String label() {
    return (kind == Kind.ENV ? "env:" : "file:") + name;
  }

  @Override
  public String toString() {
    return kind == Kind.ENV ? "environment variable " + name : "file " + name;
  }

  /** A secret could not be read or has the wrong form; the message never holds secret bytes. */
  public static final class SecretException extends IllegalArgumentException {
    public SecretException(String message) {
      super(message);
    }
  }
}
