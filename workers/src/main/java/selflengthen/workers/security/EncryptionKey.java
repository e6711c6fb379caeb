package selflengthen.workers.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import selflengthen.model.secret.SecretSource;
import java.util.regex.Pattern;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * A 256-bit AES key for payload encryption, and its id (a fingerprint safe to store next to the
 * ciphertext: it tells which key a payload needs without revealing the key). The key is read from a
 * file (32 raw bytes, or 32 bytes in base64 or hex, e.g. {@code openssl rand -base64 32}) or an
 * environment variable (base64 or hex). {@link #toString} never shows the key.
 */
public final class EncryptionKey {
  static final int BYTES = 32;
  private static final Pattern HEX = Pattern.compile("[0-9a-fA-F]{64}");

  private final SecretKey key;
  private final String id;
  private final SecretSource source;

  private EncryptionKey(byte[] key, SecretSource source) {
    this.key = new SecretKeySpec(key, "AES");
    this.id = fingerprint(key);
    this.source = source;
  }

  public static EncryptionKey read(SecretSource source) {
    return read(source, System.getenv());
  }

  static EncryptionKey read(SecretSource source, Map<String, String> environment) {
    return new EncryptionKey(decode(source.read(environment), source), source);
  }

  /** A key from bytes already in hand (tests, key generation). */
  public static EncryptionKey of(byte[] key) {
    if (key.length != BYTES) {
      throw new SecretSource.SecretException("an encryption key has 32 bytes, got " + key.length);
    }
    return new EncryptionKey(key.clone(), null);
  }

  private static byte[] decode(byte[] raw, SecretSource source) {
    String text = new String(raw, StandardCharsets.ISO_8859_1).strip();
    if (HEX.matcher(text).matches()) {
      return HexFormat.of().parseHex(text);
    }
    try {
      byte[] b = Base64.getDecoder().decode(text);
      if (b.length == BYTES) {
        return b;
      }
    } catch (IllegalArgumentException notBase64) {
      // Raw bytes, or nothing usable: decided below.
    }
    if (source.kind() == SecretSource.Kind.FILE && raw.length == BYTES) {
      return raw;
    }
    throw new SecretSource.SecretException("the encryption key in " + source
        + " is not 32 bytes (raw, base64 or hex); make one with: openssl rand -base64 32");
  }

  private static String fingerprint(byte[] key) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update("selflengthen payload key id\0".getBytes(StandardCharsets.US_ASCII));
      return "sha256:" + HexFormat.of().formatHex(sha.digest(key), 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM has no SHA-256", e);
    }
  }

  SecretKey secretKey() {
    return key;
  }

  /** Safe to log and to store in payload metadata. */
  public String id() {
    return id;
  }

  @Override
  public String toString() {
    return "EncryptionKey[" + id + (source == null ? "" : ", from " + source) + "]";
  }
}
