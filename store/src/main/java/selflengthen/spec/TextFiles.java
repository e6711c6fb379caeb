package selflengthen.spec;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Says why a text file the user named cannot be read, in the user's terms: missing, a directory,
 * no permission, too large, a byte-order mark, not UTF-8 (with the byte offset). The JVM's own
 * messages ("Input length = 1", "X: X") name neither the cause nor the fix.
 */
public final class TextFiles {
  private TextFiles() {}

  /**
   * Why {@code file} is not a readable UTF-8 text file of at most {@code maxBytes} (no limit when
   * negative); empty when it is. Reads the file once, in a streaming pass.
   */
  public static Optional<String> problem(Path file, long maxBytes) {
    if (!Files.exists(file)) {
      return Optional.of("file not found: " + file);
    }
    if (Files.isDirectory(file)) {
      return Optional.of(file + " is a directory, not a file");
    }
    if (!Files.isReadable(file)) {
      return Optional.of("permission denied: cannot read " + file);
    }
    try {
      long size = Files.size(file);
      if (maxBytes >= 0 && size > maxBytes) {
        return Optional.of(file + " is " + size + " bytes, more than the " + maxBytes + " allowed");
      }
      return encodingProblem(file);
    } catch (AccessDeniedException e) {
      return Optional.of("permission denied: cannot read " + file);
    } catch (NoSuchFileException e) {
      return Optional.of("file not found: " + file);
    } catch (IOException e) {
      return Optional.of("cannot read " + file + ": " + e);
    }
  }

  private static Optional<String> encodingProblem(Path file) throws IOException {
    CharsetDecoder decoder =
        StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    byte[] all;
    try (InputStream in = Files.newInputStream(file)) {
      all = in.readAllBytes();
    }
    if (all.length >= 3 && (all[0] & 0xff) == 0xEF && (all[1] & 0xff) == 0xBB && (all[2] & 0xff) == 0xBF) {
      return Optional.of(file + " starts with a UTF-8 byte-order mark (BOM): save it as UTF-8 without BOM");
    }
    if (all.length >= 2 && (((all[0] & 0xff) == 0xFF && (all[1] & 0xff) == 0xFE)
        || ((all[0] & 0xff) == 0xFE && (all[1] & 0xff) == 0xFF))) {
      return Optional.of(file + " is UTF-16 text (it starts with a UTF-16 byte-order mark): save it as UTF-8");
    }
    ByteBuffer bytes = ByteBuffer.wrap(all);
    try {
      decoder.decode(bytes);
    } catch (CharacterCodingException e) {
      int offset = firstInvalid(all);
      return Optional.of(file + " is not UTF-8 text (invalid byte 0x"
          + Integer.toHexString(all[Math.max(offset, 0)] & 0xff) + " at byte offset " + offset + ")");
    }
    return Optional.empty();
  }

  private static int firstInvalid(byte[] all) {
    CharsetDecoder d = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(all);
    java.nio.CharBuffer out = java.nio.CharBuffer.allocate(all.length + 1);
    var result = d.decode(in, out, true);
    return result.isError() ? in.position() : 0;
  }
}
