package selflengthen.method;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class NearDuplicatesTest {

  @Test
  void wordTrigramJaccardByHand() {
    // 4 trigrams each, 3 shared: 3 / 5.
    assertEquals(0.6, NearDuplicates.similarity("the cat sat on the mat", "the cat sat on the rug"), 1e-12);
    // Case and punctuation are ignored.
    assertEquals(1.0, NearDuplicates.similarity("The cat, sat on the MAT!", "the cat sat on the mat"), 0.0);
    // Repeated trigrams count once: {a b a, b a b} vs {a b a}.
    assertEquals(0.5, NearDuplicates.similarity("a b a b", "a b a"), 1e-12);
    // Fewer than 3 tokens: the whole sequence is one shingle.
    assertEquals(1.0, NearDuplicates.similarity("Hello, world", "hello world"), 0.0);
    assertEquals(0.0, NearDuplicates.similarity("hello", "world"), 0.0);
    assertEquals(0.0, NearDuplicates.similarity("", ""), 0.0);
  }

  @Test
  void chineseUsesCharacterTrigrams() {
    assertEquals(List.of("写", "一", "篇", "gpu", "4090", "评", "测"), NearDuplicates.tokens("写一篇GPU 4090评测。"));
    // 5 trigrams vs 4, all 4 shared: 4 / 5.
    assertEquals(0.8, NearDuplicates.similarity("我爱北京天安门", "我爱北京天安"), 1e-12);
    assertEquals(1.0, NearDuplicates.similarity("我爱北京，天安门！", "我爱北京天安门"), 0.0);
  }

  @Test
  void rejectsAtOrAboveTheThreshold() {
    NearDuplicates at = new NearDuplicates(0.6);
    at.add("the cat sat on the mat");
    NearDuplicates.Match match = at.findSimilar("The cat sat on the rug.").orElseThrow();
    assertEquals(0, match.index());
    assertEquals(0.6, match.similarity(), 1e-12);
    NearDuplicates above = new NearDuplicates(0.61);
    above.add("the cat sat on the mat");
    assertFalse(above.isNearDuplicate("the cat sat on the rug"));
    assertTrue(above.isNearDuplicate("The cat sat on the mat."));

    NearDuplicates pool = new NearDuplicates();
    assertEquals(0.7, pool.threshold(), 0.0);
    assertTrue(pool.addIfNovel("Write a detailed history of the Roman aqueducts and their engineering."));
    assertFalse(pool.addIfNovel("Write a detailed history of the Roman aqueducts and their engineering!"));
    assertTrue(pool.addIfNovel("Write a short story about a lighthouse keeper who finds a message."));
    assertEquals(2, pool.size());
  }

  @Test
  void thresholdOneTurnsTheFilterOff() {
    NearDuplicates off = new NearDuplicates(1.0);
    off.add("same text here");
    assertFalse(off.enabled());
    assertFalse(off.isNearDuplicate("same text here"));
    assertFalse(NearDuplicates.of(selflengthen.v1.SelfInstruct.newBuilder().setNearDuplicateThreshold(1f).build()).enabled());
    assertEquals(0.7, NearDuplicates.of(selflengthen.v1.SelfInstruct.getDefaultInstance()).threshold(), 0.0);
    assertThrows(IllegalArgumentException.class, () -> new NearDuplicates(0));
    assertThrows(IllegalArgumentException.class, () -> new NearDuplicates(1.5));
  }

  @Test
  void indexedSearchAgreesWithBruteForce() {
    SplittableRandom random = new SplittableRandom(11);
    List<String> vocabulary = vocabulary(60, random);
    List<String> pool = new ArrayList<>();
    for (int i = 0; i < 1500; i++) {
      pool.add(i > 0 && random.nextInt(3) == 0 ? mutate(pool.get(random.nextInt(i)), vocabulary, random)
          : sentence(vocabulary, 4 + random.nextInt(20), random));
    }
    List<long[]> poolShingles = pool.stream().map(NearDuplicates::shingles).toList();
    for (double threshold : new double[] {0.3, 0.5, 0.7, 0.9}) {
      NearDuplicates index = new NearDuplicates(threshold);
      index.addAll(pool);
      int duplicates = 0;
      for (int c = 0; c < 400; c++) {
        String candidate = c % 2 == 0
            ? mutate(pool.get(random.nextInt(pool.size())), vocabulary, random)
            : sentence(vocabulary, 4 + random.nextInt(20), random);
        boolean brute = false;
        long[] shingles = NearDuplicates.shingles(candidate);
        for (long[] member : poolShingles) {
          if (NearDuplicates.jaccard(shingles, member) >= threshold) {
            brute = true;
            break;
          }
        }
        var found = index.findSimilar(candidate);
        assertEquals(brute, found.isPresent(), "threshold " + threshold + ": " + candidate);
        found.ifPresent(m -> assertTrue(m.similarity() >= threshold));
        duplicates += brute ? 1 : 0;
      }
      // The mix holds both outcomes at every threshold, so agreement is not trivial.
      assertTrue(duplicates > 0 && duplicates < 400, "duplicates " + duplicates + " at " + threshold);
    }
  }

  @Test
  void tenThousandPoolTimesOneThousandCandidatesIsFast() {
    SplittableRandom random = new SplittableRandom(5);
    List<String> vocabulary = vocabulary(3000, random);
    List<String> pool = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      // A shared opening, as self-instruct pools have ("Write a detailed ..."), makes posting lists long.
      pool.add("Write a detailed " + sentence(vocabulary, 8 + random.nextInt(40), random));
    }
    List<String> candidates = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      candidates.add(i % 4 == 0 ? mutate(pool.get(random.nextInt(pool.size())), vocabulary, random)
          : "Write a detailed " + sentence(vocabulary, 8 + random.nextInt(40), random));
    }
    long start = System.nanoTime();
    NearDuplicates index = new NearDuplicates();
    index.addAll(pool);
    long built = System.nanoTime();
    int rejected = 0;
    for (String candidate : candidates) {
      if (index.isNearDuplicate(candidate)) {
        rejected++;
      }
    }
    long done = System.nanoTime();
    System.out.printf(
        "NearDuplicates: index 10000 in %d ms, 1000 queries in %d ms, %d rejected%n",
        (built - start) / 1_000_000, (done - built) / 1_000_000, rejected);
    assertTrue(rejected > 100 && rejected < 400, "rejected " + rejected);
    assertTrue((done - start) / 1e9 < 3.0, "took " + (done - start) / 1e9 + " s");
  }

  private static List<String> vocabulary(int size, SplittableRandom random) {
    List<String> words = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      StringBuilder w = new StringBuilder();
      int len = 3 + random.nextInt(6);
      for (int k = 0; k < len; k++) {
        w.append((char) ('a' + random.nextInt(26)));
      }
      words.add(w.toString());
    }
    return words;
  }

  private static String sentence(List<String> vocabulary, int words, SplittableRandom random) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < words; i++) {
      if (i > 0) {
        sb.append(' ');
      }
      sb.append(vocabulary.get(random.nextInt(vocabulary.size())));
    }
    return sb.append('.').toString();
  }

  /** Replaces 1 to 3 words. */
  private static String mutate(String text, List<String> vocabulary, SplittableRandom random) {
    String[] words = text.split(" ");
    int changes = 1 + random.nextInt(3);
    for (int i = 0; i < changes; i++) {
      words[random.nextInt(words.length)] = vocabulary.get(random.nextInt(vocabulary.size()));
    }
    return String.join(" ", words);
  }
}
