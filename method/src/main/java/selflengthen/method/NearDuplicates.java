package selflengthen.method;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Near-duplicate filter for self-instruct (our addition to the method): a candidate instruction is
 * rejected when the Jaccard similarity of its trigram shingles to some pool instruction is at or
 * above a threshold (default 0.7).
 *
 * <p>Shingles: the text is lower-cased and cut into tokens, where each Han, Hiragana or Katakana
 * character is a token of its own and every other run of letters and digits is one token;
 * punctuation and whitespace only separate tokens. So English text gives word trigrams and Chinese
 * text character trigrams, and mixed text works the same way. A text of 1 or 2 tokens has a single
 * shingle (its whole token sequence); a text with no token has none and is never a near duplicate.
 * Each shingle is hashed to 64 bits (a collision between two different shingles is possible in
 * principle but has probability about 2^-64 per pair).
 *
 * <p>Search is exact, not sampled: prefix filtering (Chaudhuri et al. 2006). Shingle hashes are kept
 * sorted; a set S can reach similarity t with a set P only if they share a hash among the first
 * {@code |S| - ceil(t |S|) + 1} of S and the first {@code |P| - ceil(t |P|) + 1} of P, and only if
 * {@code t |S| <= |P| <= |S| / t}. Only those prefixes are indexed; candidates that survive both
 * filters are verified with the exact Jaccard value. Indexing a pool of 10,000 instructions and
 * checking 1,000 candidates takes about 0.1-0.5 s on 2 busy cores (NearDuplicatesTest prints it).
 *
 * <p>Not thread-safe: one filter per activity, filled from the pool, then grown with {@link
 * #addIfNovel}.
 */
public final class NearDuplicates {
  public static final double DEFAULT_THRESHOLD = 0.7;
  private static final double EPS = 1e-9;

  /** A pool member similar to the candidate: its index in insertion order, text and similarity. */
  public record Match(int index, String text, double similarity) {}

  private final double threshold;
  private final List<String> texts = new ArrayList<>();
  private final List<long[]> shingleSets = new ArrayList<>();
  private final Map<Long, IdList> postings = new HashMap<>();
  private int[] seenStamp = new int[16];
  private int stamp;

  /**
   * @param threshold similarity at or above which a candidate is a near duplicate, in (0, 1]; 1 turns
   *     the filter off (nothing is ever a near duplicate), as RunSpec.self_instruct documents
   */
  public NearDuplicates(double threshold) {
    if (!(threshold > 0 && threshold <= 1)) {
      throw new IllegalArgumentException("threshold must be in (0, 1], got " + threshold);
    }
    this.threshold = threshold;
  }

  /** The filter of a spec: {@code near_duplicate_threshold}, default 0.7. */
  public static NearDuplicates of(selflengthen.v1.SelfInstruct spec) {
    return new NearDuplicates(
        spec.hasNearDuplicateThreshold() ? spec.getNearDuplicateThreshold() : DEFAULT_THRESHOLD);
  }

  /** A filter with the default threshold 0.7. */
  public NearDuplicates() {
    this(DEFAULT_THRESHOLD);
  }

  public double threshold() {
    return threshold;
  }

  /** Whether the filter can reject anything (threshold below 1). */
  public boolean enabled() {
    return threshold < 1;
  }

  /** Pool members added so far. */
  public int size() {
    return texts.size();
  }

  /** Adds a pool member unconditionally. */
  public void add(String text) {
    long[] shingles = shingles(text);
    int id = texts.size();
    texts.add(text);
    shingleSets.add(shingles);
    int prefix = prefixLength(shingles.length);
    for (int i = 0; i < prefix; i++) {
      postings.computeIfAbsent(shingles[i], h -> new IdList()).add(id);
    }
  }

  /** Adds every text unconditionally. */
  public void addAll(Iterable<String> pool) {
    for (String text : pool) {
      add(text);
    }
  }

  /**
   * The first pool member (in insertion order of the index) whose similarity to {@code candidate}
   * is at or above the threshold; empty when there is none or the filter is off.
   */
  public Optional<Match> findSimilar(String candidate) {
    if (!enabled()) {
      return Optional.empty();
    }
    long[] s = shingles(candidate);
    if (s.length == 0) {
      return Optional.empty();
    }
    if (seenStamp.length < texts.size()) {
      seenStamp = Arrays.copyOf(seenStamp, Math.max(texts.size(), seenStamp.length * 2));
    }
    stamp++;
    if (stamp == Integer.MAX_VALUE) {
      Arrays.fill(seenStamp, 0);
      stamp = 1;
    }
    double minLen = threshold * s.length - EPS;
    double maxLen = s.length / threshold + EPS;
    int prefix = prefixLength(s.length);
    for (int i = 0; i < prefix; i++) {
      IdList list = postings.get(s[i]);
      if (list == null) {
        continue;
      }
      for (int k = 0; k < list.size; k++) {
        int id = list.ids[k];
        if (seenStamp[id] == stamp) {
          continue;
        }
        seenStamp[id] = stamp;
        long[] p = shingleSets.get(id);
        if (p.length < minLen || p.length > maxLen) {
          continue;
        }
        double sim = jaccard(s, p);
        if (sim >= threshold) {
          return Optional.of(new Match(id, texts.get(id), sim));
        }
      }
    }
    return Optional.empty();
  }

  /** Whether some pool member is at or above the threshold. */
  public boolean isNearDuplicate(String candidate) {
    return findSimilar(candidate).isPresent();
  }

  /** Adds the candidate to the pool unless it is a near duplicate; returns whether it was added. */
  public boolean addIfNovel(String candidate) {
    if (isNearDuplicate(candidate)) {
      return false;
    }
    add(candidate);
    return true;
  }

  /** Jaccard similarity of two texts' shingle sets; 0 when either has no shingle. */
  public static double similarity(String a, String b) {
    return jaccard(shingles(a), shingles(b));
  }

  /** The sorted, distinct shingle hashes of a text (see the class comment). */
  public static long[] shingles(String text) {
    List<String> tokens = tokens(text);
    int n = tokens.size();
    if (n == 0) {
      return new long[0];
    }
    long[] tokenHashes = new long[n];
    for (int i = 0; i < n; i++) {
      tokenHashes[i] = hash(tokens.get(i));
    }
    if (n < 3) {
      return new long[] {n == 1 ? combine(tokenHashes[0]) : combine(tokenHashes[0], tokenHashes[1])};
    }
    long[] hashes = new long[n - 2];
    for (int i = 0; i + 3 <= n; i++) {
      hashes[i] = combine(tokenHashes[i], tokenHashes[i + 1], tokenHashes[i + 2]);
    }
    Arrays.sort(hashes);
    int distinct = 0;
    for (int i = 0; i < hashes.length; i++) {
      if (i == 0 || hashes[i] != hashes[i - 1]) {
        hashes[distinct++] = hashes[i];
      }
    }
    return distinct == hashes.length ? hashes : Arrays.copyOf(hashes, distinct);
  }

  /** Tokens of a text (see the class comment). */
  static List<String> tokens(String text) {
    List<String> tokens = new ArrayList<>();
    if (text == null) {
      return tokens;
    }
    String s = text.toLowerCase(Locale.ROOT);
    StringBuilder word = new StringBuilder();
    int i = 0;
    while (i < s.length()) {
      int cp = s.codePointAt(i);
      i += Character.charCount(cp);
      if (cp < 0x80) {
        // ASCII fast path: most instructions are mostly ASCII.
        if ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9')) {
          word.append((char) cp);
        } else {
          flush(word, tokens);
        }
      } else if (isSingleCharToken(cp)) {
        flush(word, tokens);
        tokens.add(new String(Character.toChars(cp)));
      } else if (Character.isLetterOrDigit(cp)) {
        word.appendCodePoint(cp);
      } else {
        flush(word, tokens);
      }
    }
    flush(word, tokens);
    return tokens;
  }

  private static boolean isSingleCharToken(int cp) {
    Character.UnicodeScript script = Character.UnicodeScript.of(cp);
    return script == Character.UnicodeScript.HAN
        || script == Character.UnicodeScript.HIRAGANA
        || script == Character.UnicodeScript.KATAKANA;
  }

  private static void flush(StringBuilder word, List<String> tokens) {
    if (word.length() > 0) {
      tokens.add(word.toString());
      word.setLength(0);
    }
  }

  private int prefixLength(int size) {
    if (size == 0) {
      return 0;
    }
    int overlap = (int) Math.ceil(threshold * size - EPS);
    return Math.min(size, size - Math.max(1, overlap) + 1);
  }

  static double jaccard(long[] a, long[] b) {
    if (a.length == 0 || b.length == 0) {
      return 0;
    }
    int i = 0;
    int j = 0;
    int inter = 0;
    while (i < a.length && j < b.length) {
      if (a[i] == b[j]) {
        inter++;
        i++;
        j++;
      } else if (a[i] < b[j]) {
        i++;
      } else {
        j++;
      }
    }
    return (double) inter / (a.length + b.length - inter);
  }

  /** FNV-1a over the UTF-16 code units of a token. Stable across JVMs. */
  private static long hash(String token) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < token.length(); i++) {
      h ^= token.charAt(i);
      h *= 0x100000001b3L;
    }
    return h;
  }

  /** An order-sensitive hash of a token sequence (a shingle), finished with murmur3's fmix64. */
  private static long combine(long... tokenHashes) {
    long h = tokenHashes.length;
    for (long t : tokenHashes) {
      h = fmix64(h * 0x9E3779B97F4A7C15L + t);
    }
    return h;
  }

  private static long fmix64(long h) {
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return h;
  }

  /** A growable list of pool ids: postings hold ints without boxing. */
  private static final class IdList {
    int[] ids = new int[2];
    int size;

    void add(int id) {
      if (size == ids.length) {
        ids = Arrays.copyOf(ids, size * 2);
      }
      ids[size++] = id;
    }
  }
}
