package selflengthen.workers.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;
import selflengthen.model.secret.SecretSource;
import selflengthen.workers.security.EncryptionKey;

/**
 * The payload encryption key, named by file or environment variable: one mixin so the workers,
 * the clients and the codec server read the same key from the same options and variables.
 */
public final class EncryptionKeyOptions {
  @Option(names = "--encryption-key-file", paramLabel = "FILE",
      defaultValue = "${env:SELFLENGTHEN_ENCRYPTION_KEY_FILE}",
      description = "AES-256 key (32 bytes raw, base64 or hex) to encrypt every payload"
          + " (env SELFLENGTHEN_ENCRYPTION_KEY_FILE). Workers and clients need the same key.")
  Path file;

  @Option(names = "--encryption-key-env", paramLabel = "VAR",
      defaultValue = "${env:SELFLENGTHEN_ENCRYPTION_KEY_ENV}",
      description = "Environment variable holding the payload key, base64 or hex"
          + " (env SELFLENGTHEN_ENCRYPTION_KEY_ENV).")
  String variable;

  /** The key the options name, read now; null when they name none. */
  public EncryptionKey key() {
    try {
      SecretSource source = SecretSource.either(variable, file,
          "give the encryption key once: --encryption-key-env or --encryption-key-file");
      return source == null ? null : EncryptionKey.read(source);
    } catch (IllegalArgumentException e) {
      throw new CliException(e.getMessage());
    }
  }
}
