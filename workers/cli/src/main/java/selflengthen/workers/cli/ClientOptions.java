package selflengthen.workers.cli;

import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import selflengthen.workers.ConnectionSettings;
import selflengthen.workers.TemporalConnection;
import selflengthen.model.secret.SecretSource;
import selflengthen.workers.security.TemporalApiKey;
import selflengthen.workers.security.EncryptionKey;
import selflengthen.workers.security.TlsSettings;

/**
 * Where Temporal is and how to talk to it securely: shared by every command that connects. Secrets
 * (API key, encryption key) are named by environment variable or file, never given on the command
 * line, where any user of the machine could read them.
 */
public final class ClientOptions {
  @Option(
      names = "--address",
      paramLabel = "HOST:PORT",
      defaultValue = "${env:SELFLENGTHEN_ADDRESS:-127.0.0.1:7233}",
      description = "Temporal frontend (env SELFLENGTHEN_ADDRESS; default ${DEFAULT-VALUE}).")
  String address;

  @Option(
      names = "--namespace",
      paramLabel = "NS",
      defaultValue = "${env:SELFLENGTHEN_NAMESPACE:-default}",
      description = "Temporal namespace (env SELFLENGTHEN_NAMESPACE; default ${DEFAULT-VALUE}).")
  String namespace;

  @Option(
      names = "--tls",
      paramLabel = "true|false",
      arity = "0..1",
      fallbackValue = "true",
      defaultValue = "${env:SELFLENGTHEN_TLS}",
      description = "TLS to the frontend (env SELFLENGTHEN_TLS). On by itself when any --tls-* option"
          + " or an API key is given; --tls=false turns it off.")
  Boolean tls;

  @Option(names = "--tls-cert", paramLabel = "PEM", defaultValue = "${env:SELFLENGTHEN_TLS_CERT}",
      description = "Client certificate chain for mutual TLS (env SELFLENGTHEN_TLS_CERT).")
  Path tlsCert;

  @Option(names = "--tls-key", paramLabel = "PEM", defaultValue = "${env:SELFLENGTHEN_TLS_KEY}",
      description = "Client private key, PKCS#8 PEM, for mutual TLS (env SELFLENGTHEN_TLS_KEY).")
  Path tlsKey;

  @Option(names = "--tls-ca", paramLabel = "PEM", defaultValue = "${env:SELFLENGTHEN_TLS_CA}",
      description = "CA certificate(s) to trust instead of the JVM's (env SELFLENGTHEN_TLS_CA).")
  Path tlsCa;

  @Option(names = "--tls-server-name", paramLabel = "NAME",
      defaultValue = "${env:SELFLENGTHEN_TLS_SERVER_NAME}",
      description = "Name the server certificate must carry, when not the address's host"
          + " (env SELFLENGTHEN_TLS_SERVER_NAME).")
  String tlsServerName;

  @Option(names = "--api-key-env", paramLabel = "VAR", defaultValue = "${env:SELFLENGTHEN_API_KEY_ENV}",
      description = "Environment variable holding a Temporal API key, sent as 'authorization: Bearer'"
          + " (env SELFLENGTHEN_API_KEY_ENV).")
  String apiKeyEnv;

  @Option(names = "--api-key-file", paramLabel = "FILE", defaultValue = "${env:SELFLENGTHEN_API_KEY_FILE}",
      description = "File holding a Temporal API key (env SELFLENGTHEN_API_KEY_FILE).")
  Path apiKeyFile;

  @Mixin EncryptionKeyOptions encryptionKey = new EncryptionKeyOptions();

  public String address() {
    return address;
  }

  public String namespace() {
    return namespace;
  }

  /** Everything a connection needs; reads the secrets it names. */
  public ConnectionSettings settings() {
    try {
      SecretSource apiKeySource = SecretSource.either(apiKeyEnv, apiKeyFile,
          "give the API key once: --api-key-env or --api-key-file");
      TemporalApiKey apiKey = apiKeySource == null ? null : TemporalApiKey.read(apiKeySource);
      EncryptionKey encryption = encryptionKey.key();
      TlsSettings tlsSettings = TlsSettings.resolve(tls, tlsCert, tlsKey, tlsCa, blank(tlsServerName),
          apiKey != null);
      return new ConnectionSettings(address, namespace, tlsSettings, apiKey, encryption, null);
    } catch (IllegalArgumentException e) {
      throw new CliException(e.getMessage());
    }
  }

  private static String blank(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  TemporalConnection connect() {
    ConnectionSettings settings = settings();
    TemporalConnection.checkListening(address, Duration.ofSeconds(5));
    return TemporalConnection.connect(settings, Duration.ofSeconds(10));
  }
}
