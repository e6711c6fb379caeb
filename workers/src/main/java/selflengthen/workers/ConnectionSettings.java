package selflengthen.workers;

import com.uber.m3.tally.Scope;
import io.temporal.common.converter.CodecDataConverter;
import io.temporal.common.converter.DataConverter;
import java.util.List;
import selflengthen.payload.Payloads;
import selflengthen.workers.security.TemporalApiKey;
import selflengthen.workers.security.EncryptionKey;
import selflengthen.workers.security.PayloadEncryption;
import selflengthen.workers.security.TlsSettings;

/**
 * How to reach and talk to a Temporal frontend: where, which namespace, TLS, API key, payload
 * encryption, and where the SDK's metrics go. {@link #toString} is safe to log: the key holders
 * print only where their secrets come from.
 *
 * @param apiKey null = none
 * @param encryption null = payloads travel and are stored as they are
 * @param metricsScope null = the SDK's no-op scope
 */
public record ConnectionSettings(
    String address,
    String namespace,
    TlsSettings tls,
    TemporalApiKey apiKey,
    EncryptionKey encryption,
    Scope metricsScope) {
  public ConnectionSettings {
    tls = tls == null ? TlsSettings.OFF : tls;
  }

  /** No TLS, no key, no encryption: the embedded server and local development. */
  public static ConnectionSettings plain(String address, String namespace) {
    return new ConnectionSettings(address, namespace, TlsSettings.OFF, null, null, null);
  }

  public ConnectionSettings withMetrics(Scope scope) {
    return new ConnectionSettings(address, namespace, tls, apiKey, encryption, scope);
  }

  public ConnectionSettings withEncryption(EncryptionKey key) {
    return new ConnectionSettings(address, namespace, tls, apiKey, key, metricsScope);
  }

  /**
   * The project's converter behind the encryption codec. The codec is there even without a key, so
   * a process without one fails on an encrypted payload with a message that says so.
   */
  public DataConverter dataConverter() {
    PayloadEncryption codec =
        encryption == null ? PayloadEncryption.none() : PayloadEncryption.with(encryption);
    return new CodecDataConverter(Payloads.dataConverter(), List.of(codec));
  }
}
