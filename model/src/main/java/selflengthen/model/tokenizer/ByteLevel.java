package selflengthen.model.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * GPT-2 byte-level conventions, as the Hugging Face ByteLevel pre-tokenizer applies them: split
 * text with the GPT-2 pattern, then spell each piece's UTF-8 bytes with 256 printable characters.
 */
public final class ByteLevel {
  /** The pattern ByteLevel uses when use_regex is true. */
  public static final Pattern SPLIT = Pattern.compile(
      "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+");

  private static final char[] BYTE_TO_CHAR = new char[256];

  static {
    boolean[] direct = new boolean[256];
    for (int b = '!'; b <= '~'; b++) {
      direct[b] = true;
    }
    for (int b = 0xA1; b <= 0xAC; b++) {
      direct[b] = true;
    }
    for (int b = 0xAE; b <= 0xFF; b++) {
      direct[b] = true;
    }
    int next = 256;
    for (int b = 0; b < 256; b++) {
      BYTE_TO_CHAR[b] = direct[b] ? (char) b : (char) next++;
    }
  }

  private ByteLevel() {}

  public static char charOf(int unsignedByte) {
    return BYTE_TO_CHAR[unsignedByte];
  }

  /** The pieces of a text after the regex split, each spelled in byte characters. */
  public static List<String> pieces(String text) {
    List<String> out = new ArrayList<>();
    Matcher m = SPLIT.matcher(text);
    while (m.find()) {
      out.add(spell(m.group()));
    }
    return out;
  }

  public static String spell(String piece) {
    byte[] bytes = piece.getBytes(StandardCharsets.UTF_8);
    StringBuilder sb = new StringBuilder(bytes.length);
    for (byte b : bytes) {
      sb.append(BYTE_TO_CHAR[b & 0xff]);
    }
    return sb.toString();
  }
}
