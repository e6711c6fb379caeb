package selflengthen.model.generate;

import selflengthen.model.tokenizer.TextTokenizer;

/** Test access to the package-private incremental decoder. */
public final class IncrementalDecoderProbe {
  private final IncrementalDecoder decoder;

  public IncrementalDecoderProbe(TextTokenizer t) {
    decoder = new IncrementalDecoder(t);
  }

  public String next(int[] ids, int count) {
    return decoder.next(ids, count);
  }
}
