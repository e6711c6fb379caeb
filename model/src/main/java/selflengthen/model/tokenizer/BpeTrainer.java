package selflengthen.model.tokenizer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * Trains a byte-level BPE vocabulary on a text and writes it as a Hugging Face tokenizer.json
 * (BPE model, ByteLevel pre-tokenizer and decoder, special tokens as added tokens), the format
 * Qwen2 and Llama 3 ship and DJL's HuggingFaceTokenizer loads.
 *
 * <p>Classic algorithm: count the pre-tokenized words, start from the 256 byte symbols, and
 * repeatedly merge the most frequent adjacent pair (ties: the pair whose merged string sorts
 * first, so training is deterministic), updating pair counts only in the words that contain it.
 */
public final class BpeTrainer {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A trained vocabulary: tokens by id (bytes first, then merges, then special tokens). */
  public record Vocabulary(List<String> tokens, List<String[]> merges, List<String> specialTokens) {
    public int size() {
      return tokens.size();
    }

    public int id(String token) {
      int i = tokens.indexOf(token);
      if (i < 0) {
        throw new IllegalArgumentException("no token " + token);
      }
      return i;
    }
  }

  private final int vocabSize;
  private final int minFrequency;
  private final List<String> specialTokens;

  /**
   * @param vocabSize target size including the 256 byte symbols and the special tokens; training
   *     stops earlier when no pair occurs at least {@code minFrequency} times
   */
  public BpeTrainer(int vocabSize, int minFrequency, List<String> specialTokens) {
    if (vocabSize < 256 + specialTokens.size()) {
      throw new IllegalArgumentException("vocabSize must be at least 256 + special tokens");
    }
    this.vocabSize = vocabSize;
    this.minFrequency = Math.max(1, minFrequency);
    this.specialTokens = List.copyOf(specialTokens);
  }

  public Vocabulary train(String corpus) {
    Map<String, Integer> wordCounts = new HashMap<>();
    for (String piece : ByteLevel.pieces(corpus)) {
      wordCounts.merge(piece, 1, Integer::sum);
    }
    List<String> symbols = new ArrayList<>();
    Map<String, Integer> symbolIds = new HashMap<>();
    for (int b = 0; b < 256; b++) {
      String s = String.valueOf(ByteLevel.charOf(b));
      symbolIds.put(s, symbols.size());
      symbols.add(s);
    }
    String[] wordKeys = wordCounts.keySet().toArray(new String[0]);
    Arrays.sort(wordKeys);
    int[][] words = new int[wordKeys.length][];
    int[] freq = new int[wordKeys.length];
    for (int w = 0; w < wordKeys.length; w++) {
      String word = wordKeys[w];
      words[w] = new int[word.length()];
      for (int i = 0; i < word.length(); i++) {
        words[w][i] = symbolIds.get(String.valueOf(word.charAt(i)));
      }
      freq[w] = wordCounts.get(word);
    }
    Map<Long, Integer> pairCounts = new HashMap<>();
    Map<Long, Set<Integer>> where = new HashMap<>();
    for (int w = 0; w < words.length; w++) {
      int[] s = words[w];
      for (int i = 0; i + 1 < s.length; i++) {
        long key = key(s[i], s[i + 1]);
        pairCounts.merge(key, freq[w], Integer::sum);
        where.computeIfAbsent(key, k -> new HashSet<>()).add(w);
      }
    }
    PriorityQueue<long[]> queue = new PriorityQueue<>((a, b) -> {
      if (a[1] != b[1]) {
        return Long.compare(b[1], a[1]);
      }
      return mergedString(symbols, a[0]).compareTo(mergedString(symbols, b[0]));
    });
    pairCounts.forEach((k, c) -> queue.add(new long[] {k, c}));
    List<String[]> merges = new ArrayList<>();
    int target = vocabSize - specialTokens.size();
    while (symbols.size() < target && !queue.isEmpty()) {
      long[] top = queue.poll();
      int current = pairCounts.getOrDefault(top[0], 0);
      if (current != top[1]) {
        if (current > 0) {
          queue.add(new long[] {top[0], current});
        }
        continue;
      }
      if (current < minFrequency) {
        break;
      }
      int a = (int) (top[0] >>> 32);
      int b = (int) top[0];
      String merged = symbols.get(a) + symbols.get(b);
      int newId = symbols.size();
      symbols.add(merged);
      merges.add(new String[] {symbols.get(a), symbols.get(b)});
      Set<Integer> affected = where.remove(top[0]);
      pairCounts.remove(top[0]);
      Map<Long, Integer> changed = new HashMap<>();
      for (int w : affected) {
        int[] s = words[w];
        for (int i = 0; i + 1 < s.length; i++) {
          long k = key(s[i], s[i + 1]);
          if (k != top[0]) {
            pairCounts.merge(k, -freq[w], Integer::sum);
            changed.put(k, 0);
          }
        }
        int[] out = new int[s.length];
        int n = 0;
        for (int i = 0; i < s.length; i++) {
          if (i + 1 < s.length && s[i] == a && s[i + 1] == b) {
            out[n++] = newId;
            i++;
          } else {
            out[n++] = s[i];
          }
        }
        words[w] = Arrays.copyOf(out, n);
        s = words[w];
        for (int i = 0; i + 1 < s.length; i++) {
          long k = key(s[i], s[i + 1]);
          pairCounts.merge(k, freq[w], Integer::sum);
          where.computeIfAbsent(k, x -> new HashSet<>()).add(w);
          changed.put(k, 0);
        }
      }
      for (long k : changed.keySet()) {
        int c = pairCounts.getOrDefault(k, 0);
        if (c <= 0) {
          pairCounts.remove(k);
          where.remove(k);
        } else {
          queue.add(new long[] {k, c});
        }
      }
    }
    List<String> tokens = new ArrayList<>(symbols);
    tokens.addAll(specialTokens);
    return new Vocabulary(tokens, merges, specialTokens);
  }

  private static long key(int a, int b) {
    return ((long) a << 32) | (b & 0xffffffffL);
  }

  private static String mergedString(List<String> symbols, long key) {
    return symbols.get((int) (key >>> 32)) + symbols.get((int) key);
  }

  /** Writes the vocabulary as a Hugging Face tokenizer.json. */
  public static void writeTokenizerJson(Vocabulary v, Path file) throws IOException {
    ObjectNode root = JSON.createObjectNode();
    root.put("version", "1.0");
    root.putNull("truncation");
    root.putNull("padding");
    ArrayNode added = root.putArray("added_tokens");
    for (String s : v.specialTokens()) {
      ObjectNode t = added.addObject();
      t.put("id", v.tokens().indexOf(s));
      t.put("content", s);
      t.put("single_word", false);
      t.put("lstrip", false);
      t.put("rstrip", false);
      t.put("normalized", false);
      t.put("special", true);
    }
    root.putNull("normalizer");
    root.set("pre_tokenizer", byteLevel(false, true));
    root.set("post_processor", byteLevel(false, false));
    root.set("decoder", byteLevel(false, true));
    ObjectNode model = root.putObject("model");
    model.put("type", "BPE");
    model.putNull("dropout");
    model.putNull("unk_token");
    model.putNull("continuing_subword_prefix");
    model.putNull("end_of_word_suffix");
    model.put("fuse_unk", false);
    model.put("byte_fallback", false);
    model.put("ignore_merges", false);
    ObjectNode vocab = model.putObject("vocab");
    Map<String, Integer> ids = new LinkedHashMap<>();
    for (int i = 0; i < v.size(); i++) {
      if (!v.specialTokens().contains(v.tokens().get(i))) {
        ids.put(v.tokens().get(i), i);
      }
    }
    ids.forEach(vocab::put);
    ArrayNode merges = model.putArray("merges");
    for (String[] m : v.merges()) {
      merges.add(m[0] + " " + m[1]);
    }
    Files.createDirectories(file.toAbsolutePath().getParent());
    JSON.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), root);
  }

  private static ObjectNode byteLevel(boolean addPrefixSpace, boolean trimOffsets) {
    ObjectNode n = JSON.createObjectNode();
    n.put("type", "ByteLevel");
    n.put("add_prefix_space", addPrefixSpace);
    n.put("trim_offsets", trimOffsets);
    n.put("use_regex", true);
    return n;
  }
}
