package selflengthen.model.generate;

import selflengthen.model.tokenizer.TextTokenizer;

/**
 * Turns a growing list of token ids into text deltas without decoding the whole list each step:
 * it decodes a short window and holds back text while the window ends inside a multi-byte
 * character (decoded as U+FFFD), the technique vLLM uses for streaming.
 */
final class IncrementalDecoder {
  private final TextTokenizer tokenizer;
  private int prefixOffset;
  private int readOffset;

  IncrementalDecoder(TextTokenizer tokenizer) {
    this.tokenizer = tokenizer;
  }

  /** The new text after ids[0, count) grew by one or more tokens ("" while incomplete). */
  String next(int[] ids, int count) {
    String prefix = readOffset > prefixOffset
        ? tokenizer.decode(ids, prefixOffset, readOffset, true) : "";
    String full = tokenizer.decode(ids, prefixOffset, count, true);
    if (full.length() > prefix.length() && !full.endsWith("\uFFFD")) {
      prefixOffset = readOffset;
      readOffset = count;
      return full.substring(prefix.length());
    }
    return "";
  }
}
