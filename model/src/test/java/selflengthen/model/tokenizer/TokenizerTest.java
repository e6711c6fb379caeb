package selflengthen.model.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import selflengthen.model.ModelFactory;
import selflengthen.model.TinyModels;

class TokenizerTest {
  @TempDir Path dir;

  @Test
  void trainedTokenizerLoadsInDjlAndRoundTrips() throws Exception {
    try (TextTokenizer t = TextTokenizer.load(TinyModels.tiny())) {
      for (String s : List.of("A long answer is built one paragraph at a time.",
          "  leading spaces,\ttabs\nand\n\nnewlines  ", "写作长文需要清晰的结构。", "emoji 🙂 and ünïcödé",
          "numbers 12,000 in 1950")) {
        int[] ids = t.encode(s);
        assertEquals(s, t.decode(ids, false), "round trip of " + s);
      }
      // merges learned from the corpus shorten common text well below one token per byte
      String common = "The writer reads the paragraph again and asks where the reader";
      assertTrue(t.encode(common).length < common.length() / 2, "BPE should merge frequent pairs");
      int imEnd = t.tokenId("<|im_end|>").orElseThrow();
      int[] ids = t.encode("hi<|im_end|>");
      assertEquals(imEnd, ids[ids.length - 1], "special tokens in text map to their id");
      assertEquals("hi", t.decode(ids, true));
      assertEquals("hi<|im_end|>", t.decode(ids, false));
    }
  }

  @Test
  void trainingIsDeterministicAndRespectsTheTargetSize() throws Exception {
    String corpus = ModelFactory.builtinCorpus();
    BpeTrainer.Vocabulary a = ModelFactory.trainTokenizer(corpus, 400);
    BpeTrainer.Vocabulary b = ModelFactory.trainTokenizer(corpus, 400);
    assertEquals(a.tokens(), b.tokens());
    assertEquals(400, a.size());
    assertEquals(400 - 256 - 3, a.merges().size());
    assertEquals("<|im_end|>", a.tokens().get(399));
    Path file = dir.resolve("tokenizer.json");
    BpeTrainer.writeTokenizerJson(a, file);
    try (TextTokenizer t = TextTokenizer.load(file)) {
      assertEquals(400, t.size());
      String s = "Good explanations move from the familiar to the new.";
      assertEquals(s, t.decode(t.encode(s), false));
      // the first merge is the most frequent pair in the corpus, and the tokenizer applies it
      String[] first = a.merges().get(0);
      int merged = a.tokens().indexOf(first[0] + first[1]);
      assertEquals(256, merged);
    }
  }

  @Test
  void incrementalDecodingHoldsBackSplitCharacters() throws Exception {
    try (TextTokenizer t = TextTokenizer.load(TinyModels.tiny())) {
      String s = "Stories need a person 写作 🙂 who wants something.";
      int[] ids = t.encode(s);
      var dec = new selflengthen.model.generate.IncrementalDecoderProbe(t);
      StringBuilder sb = new StringBuilder();
      for (int i = 1; i <= ids.length; i++) {
        String delta = dec.next(ids, i);
        assertTrue(!delta.contains("\uFFFD"), "no partial characters leak: " + delta);
        sb.append(delta);
      }
      assertEquals(s, sb.toString());
      assertArrayEquals(ids, t.encode(sb.toString()));
    }
  }
}
