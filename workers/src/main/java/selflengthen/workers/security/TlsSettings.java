package selflengthen.workers.security;

import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.temporal.serviceclient.SimpleSslContextBuilder;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS towards the Temporal frontend. {@code enabled} alone: server-authenticated TLS with the JVM's
 * trusted CAs (Temporal Cloud). {@code ca}: trust that CA (PEM) instead. {@code cert} + {@code key}
 * (PEM, the key PKCS#8): mutual TLS. {@code serverName}: the name to verify the server's certificate
 * against (and to send as SNI) when it differs from the address's host.
 */
public record TlsSettings(boolean enabled, Path cert, Path key, Path ca, String serverName) {
  public static final TlsSettings OFF = new TlsSettings(false, null, null, null, null);

  public TlsSettings {
    if ((cert == null) != (key == null)) {
      throw new IllegalArgumentException("mutual TLS needs both --tls-cert and --tls-key");
    }
    if (!enabled && (cert != null || ca != null || serverName != null)) {
      throw new IllegalArgumentException("TLS options were given with --tls=false");
    }
  }

  /**
   * TLS is on when asked for, or when any TLS option or an API key is given (an API key must never
   * travel in clear), unless explicitly turned off with {@code --tls=false}.
   */
  public static TlsSettings resolve(Boolean tls, Path cert, Path key, Path ca, String serverName,
      boolean apiKey) {
    boolean anyOption = cert != null || key != null || ca != null || serverName != null;
    boolean on = tls != null ? tls : anyOption || apiKey;
    return new TlsSettings(on, cert, key, ca, serverName == null || serverName.isBlank() ? null : serverName);
  }

  public boolean mutual() {
    return cert != null;
  }

  /** The client SSL context, or null for the JVM defaults (plain server-authenticated TLS). */
  public SslContext sslContext() {
    if (!enabled || (cert == null && ca == null)) {
      return null;
    }
    try {
      SimpleSslContextBuilder b;
      if (cert != null) {
        // The builder reads its streams at build(): hand it the bytes, not open files.
        b = SimpleSslContextBuilder.forPKCS8(
            new ByteArrayInputStream(Files.readAllBytes(cert)), new ByteArrayInputStream(Files.readAllBytes(key)));
      } else {
        b = SimpleSslContextBuilder.noKeyOrCertChain();
      }
      if (ca != null) {
        b.setTrustManager(trustManager(ca));
      }
      return b.build();
    } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalArgumentException("TLS: cannot use " + files() + ": " + e.getMessage(), e);
    }
  }

  private static javax.net.ssl.TrustManager trustManager(Path caFile)
      throws IOException, GeneralSecurityException {
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    store.load(null, null);
    try (InputStream in = Files.newInputStream(caFile)) {
      int i = 0;
      for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        store.setCertificateEntry("ca-" + i++, c);
      }
      if (i == 0) {
        throw new GeneralSecurityException("no certificate in " + caFile);
      }
    }
    TrustManagerFactory f = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    f.init(store);
    return f.getTrustManagers()[0];
  }

  private String files() {
    StringBuilder s = new StringBuilder();
    if (cert != null) {
      s.append("--tls-cert ").append(cert).append(", --tls-key ").append(key);
    }
    if (ca != null) {
      s.append(s.length() > 0 ? ", " : "").append("--tls-ca ").append(ca);
    }
    return s.toString();
  }
}
