package selflengthen.workers.security;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.temporal.api.common.v1.Payload;
import io.temporal.payload.codec.PayloadCodec;
import io.temporal.payload.codec.PayloadCodecException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;

/**
 * Payload codec: AES-256-GCM over the whole serialized payload (data and metadata), a fresh random
 * 12-byte nonce per payload, the key id in the metadata. What Temporal stores is then
 * {@code encoding: binary/encrypted}, {@code encryption-key-id}, and nonce + ciphertext + tag.
 *
 * <p>Without a key this codec still knows encrypted payloads: it passes plain ones through and
 * fails on encrypted ones with a message saying which key they need, instead of the SDK's "no
 * converter for binary/encrypted". Plain payloads are always decoded as they are: a run started by
 * the Temporal CLI ({@code --input '{...}'}, plain JSON) works on encrypting workers.
 */
public final class PayloadEncryption implements PayloadCodec {
  public static final String ENCODING = "binary/encrypted";
  public static final String KEY_ID = "encryption-key-id";
  public static final String CIPHER = "encryption-cipher";
  static final String CIPHER_NAME = "AES-256-GCM";
  private static final String METADATA_ENCODING = "encoding";
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Optional<EncryptionKey> key;

  private PayloadEncryption(Optional<EncryptionKey> key) {
    this.key = key;
  }

  public static PayloadEncryption with(EncryptionKey key) {
    return new PayloadEncryption(Optional.of(key));
  }

  /** Encodes nothing; fails clearly on encrypted payloads. */
  public static PayloadEncryption none() {
    return new PayloadEncryption(Optional.empty());
  }

  @Override
  public List<Payload> encode(List<Payload> payloads) {
    if (key.isEmpty()) {
      return payloads;
    }
    List<Payload> out = new ArrayList<>(payloads.size());
    for (Payload p : payloads) {
      out.add(encrypt(p, key.get()));
    }
    return out;
  }

  @Override
  public List<Payload> decode(List<Payload> payloads) {
    List<Payload> out = new ArrayList<>(payloads.size());
    for (Payload p : payloads) {
      out.add(isEncrypted(p) ? decrypt(p) : p);
    }
    return out;
  }

  static boolean isEncrypted(Payload p) {
    ByteString encoding = p.getMetadataMap().get(METADATA_ENCODING);
    return encoding != null && encoding.toStringUtf8().equals(ENCODING);
  }

  private static Payload encrypt(Payload plain, EncryptionKey key) {
    byte[] nonce = new byte[NONCE_BYTES];
    RANDOM.nextBytes(nonce);
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, key.secretKey(), new GCMParameterSpec(TAG_BITS, nonce));
      // The key id is authenticated too: a payload cannot be relabelled for another key.
      cipher.updateAAD(key.id().getBytes(StandardCharsets.US_ASCII));
      byte[] sealed = cipher.doFinal(plain.toByteArray());
      return Payload.newBuilder()
          .putMetadata(METADATA_ENCODING, ByteString.copyFromUtf8(ENCODING))
          .putMetadata(KEY_ID, ByteString.copyFromUtf8(key.id()))
          .putMetadata(CIPHER, ByteString.copyFromUtf8(CIPHER_NAME))
          .setData(ByteString.copyFrom(ByteBuffer.allocate(nonce.length + sealed.length).put(nonce).put(sealed).array()))
          .build();
    } catch (GeneralSecurityException e) {
      throw new PayloadCodecException("cannot encrypt a payload: " + e.getClass().getSimpleName(), e);
    }
  }

  private Payload decrypt(Payload sealed) {
    String needed = Optional.ofNullable(sealed.getMetadataMap().get(KEY_ID))
        .map(ByteString::toStringUtf8).orElse("(no key id)");
    if (key.isEmpty()) {
      throw new PayloadCodecException("payload is encrypted with key " + needed + " and this process has"
          + " no encryption key: give it the same --encryption-key-file or --encryption-key-env as the"
          + " workers");
    }
    EncryptionKey k = key.get();
    if (!needed.equals(k.id())) {
      throw new PayloadCodecException("payload is encrypted with key " + needed + " but this process has"
          + " key " + k.id() + ": use the key the workers use");
    }
    byte[] data = sealed.getData().toByteArray();
    if (data.length < NONCE_BYTES + TAG_BITS / 8) {
      throw new PayloadCodecException("encrypted payload is too short to be one (" + data.length + " bytes)");
    }
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, k.secretKey(), new GCMParameterSpec(TAG_BITS, data, 0, NONCE_BYTES));
      cipher.updateAAD(k.id().getBytes(StandardCharsets.US_ASCII));
      return Payload.parseFrom(cipher.doFinal(data, NONCE_BYTES, data.length - NONCE_BYTES));
    } catch (AEADBadTagException e) {
      throw new PayloadCodecException("payload labelled with key " + k.id() + " does not decrypt with it:"
          + " it was altered, or made with another key of the same id", e);
    } catch (GeneralSecurityException | InvalidProtocolBufferException e) {
      throw new PayloadCodecException("cannot decrypt a payload: " + e.getClass().getSimpleName(), e);
    }
  }

  @Override
  public String toString() {
    return "PayloadEncryption[" + key.map(EncryptionKey::toString).orElse("no key") + "]";
  }
}
