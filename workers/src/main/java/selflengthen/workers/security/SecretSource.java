package selflengthen.workers.security;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where a secret comes from: an environment variable (by name) or a file. Secrets are never taken
 * from the command line, where every user of the machine can read them ({@code ps}). Error
 * messages name the source, never the secret.
 */
public record SecretSource(Kind kind, String name) {
  public enum Kind { ENV, FILE }

  public static SecretSource env(String variable) {
    return new SecretSource(Kind.ENV, variable);
  }

  public static SecretSource file(Path file) {
    return new SecretSource(Kind.FILE, file.toString());
  }

  /** The secret's bytes. */
  byte[] read(Map<String, String> environment) {
    return switch (kind) {
      case ENV -> {
        String value = environment.get(name);
        if (value == null || value.isBlank()) {
          throw new SecretException(this + " is not set");
        }
        yield value.getBytes(java.nio.charset.StandardCharsets.UTF_8);
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
