package selflengthen.model.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;
import selflengthen.model.engine.Djl;

/**
 * A checkpoint's tokenizer.json, loaded locally with DJL's Hugging Face tokenizers binding. It
 * never truncates or pads and adds no special tokens (chat templates already spell BOS and turn
 * markers, as transformers' apply_chat_template expects); special tokens written in the text are
 * recognised.
 */
public final class TextTokenizer implements AutoCloseable {
  private final HuggingFaceTokenizer tokenizer;
  private final Map<String, Integer> addedTokens;
  private final int maxId;
  private final int longestToken;

  private TextTokenizer(HuggingFaceTokenizer tokenizer, Map<String, Integer> addedTokens, int maxId,
      int longestToken) {
    this.tokenizer = tokenizer;
    this.addedTokens = addedTokens;
    this.maxId = maxId;
    this.longestToken = longestToken;
  }

  public static TextTokenizer load(Path dir) throws IOException {
    Path file = Files.isDirectory(dir) ? dir.resolve("tokenizer.json") : dir;
    if (!Files.exists(file)) {
      throw new NoSuchFileException(file.toString(), null,
          "checkpoint has no tokenizer.json (the fast-tokenizer file is required)");
    }
    Djl.engine();
    Map<String, String> options = Map.of(
        "addSpecialTokens", "false",
        "truncation", "false",
        "padding", "false",
        "modelMaxLength", String.valueOf(Integer.MAX_VALUE));
    HuggingFaceTokenizer hf = HuggingFaceTokenizer.newInstance(file, options);
    Map<String, Integer> added = new HashMap<>();
    int[] maxId = {-1};
    int[] longest = {0};
    scanIds(file, added, maxId, longest);
    return new TextTokenizer(hf, Collections.unmodifiableMap(added), maxId[0], longest[0]);
  }

  /**
   * Reads added_tokens, the largest vocabulary id and the longest token's spelling (in characters)
   * without building a tree of the file.
   */
  private static void scanIds(Path file, Map<String, Integer> added, int[] maxId, int[] longest)
      throws IOException {
    try (JsonParser p = new JsonFactory().createParser(file.toFile())) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new IOException(file + " is not a JSON object");
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.getCurrentName();
        p.nextToken();
        if (field.equals("added_tokens") && p.currentToken() == JsonToken.START_ARRAY) {
          while (p.nextToken() == JsonToken.START_OBJECT) {
            Integer id = null;
            String content = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
              String f = p.getCurrentName();
              p.nextToken();
              if (f.equals("id")) {
                id = p.getIntValue();
              } else if (f.equals("content")) {
                content = p.getText();
              } else {
                p.skipChildren();
              }
            }
            if (id != null && content != null) {
              added.put(content, id);
              maxId[0] = Math.max(maxId[0], id);
              longest[0] = Math.max(longest[0], content.length());
            }
          }
        } else if (field.equals("model") && p.currentToken() == JsonToken.START_OBJECT) {
          while (p.nextToken() == JsonToken.FIELD_NAME) {
            String f = p.getCurrentName();
            p.nextToken();
            if (f.equals("vocab") && p.currentToken() == JsonToken.START_OBJECT) {
              while (p.nextToken() == JsonToken.FIELD_NAME) {
                longest[0] = Math.max(longest[0], p.getCurrentName().length());
                p.nextToken();
                maxId[0] = Math.max(maxId[0], p.getIntValue());
              }
            } else {
              p.skipChildren();
            }
          }
        } else {
          p.skipChildren();
        }
      }
    }
  }

  public int[] encode(String text) {
    long[] ids = tokenizer.encode(text, false, false).getIds();
    int[] out = new int[ids.length];
    for (int i = 0; i < ids.length; i++) {
      out[i] = (int) ids[i];
    }
    return out;
  }

  public String decode(int[] ids, boolean skipSpecialTokens) {
    return decode(ids, 0, ids.length, skipSpecialTokens);
  }

  public String decode(int[] ids, int from, int to, boolean skipSpecialTokens) {
    long[] l = new long[to - from];
    for (int i = from; i < to; i++) {
      l[i - from] = ids[i];
    }
    return tokenizer.decode(l, skipSpecialTokens);
  }

  /** The id of a token written exactly (special tokens first, then any single-token text). */
  public OptionalInt tokenId(String token) {
    Integer id = addedTokens.get(token);
    if (id != null) {
      return OptionalInt.of(id);
    }
    int[] ids = encode(token);
    return ids.length == 1 ? OptionalInt.of(ids[0]) : OptionalInt.empty();
  }

  public Map<String, Integer> addedTokens() {
    return addedTokens;
  }

  /**
   * The longest token spelling in the vocabulary, in characters (0: unknown, e.g. a vocabulary
   * that is not a token-to-id map). Byte-level vocabularies spell a token with one character per
   * byte, so no token stands for more characters of text than this.
   */
  public int longestToken() {
    return longestToken;
  }

  /** One more than the largest id the tokenizer can produce. */
  public int size() {
    return maxId + 1;
  }

  @Override
  public void close() {
    tokenizer.close();
  }
}
