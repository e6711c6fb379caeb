package selflengthen.workers.security;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.util.Base64;
import java.util.concurrent.TimeUnit;

/**
 * Self-signed certificates for TLS tests, made with the JDK's keytool and written as PEM (the
 * private key as PKCS#8). Each certificate is its own CA: trusting the certificate file trusts it.
 */
final class TestCertificates {
  /** One identity: certificate and key files. */
  record Identity(Path cert, Path key) {}

  private TestCertificates() {}

  static Identity create(Path dir, String name, String dnsName) throws IOException, InterruptedException,
      GeneralSecurityException {
    Path store = dir.resolve(name + ".p12");
    char[] password = "test-only".toCharArray();
    String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    Process p = new ProcessBuilder(keytool, "-genkeypair", "-alias", name, "-keyalg", "RSA", "-keysize", "2048",
        "-dname", "CN=" + dnsName, "-ext", "SAN=dns:" + dnsName, "-validity", "2",
        "-keystore", store.toString(), "-storetype", "PKCS12",
        "-storepass", new String(password), "-keypass", new String(password))
        .redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException("keytool failed: " + output);
    }
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(store)) {
      ks.load(in, password);
    }
    Key key = ks.getKey(name, password);
    Path cert = dir.resolve(name + ".pem");
    Path keyFile = dir.resolve(name + ".key");
    Files.writeString(cert, pem("CERTIFICATE", ks.getCertificate(name).getEncoded()));
    Files.writeString(keyFile, pem("PRIVATE KEY", key.getEncoded()));
    return new Identity(cert, keyFile);
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }
}
