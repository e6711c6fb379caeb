package selflengthen.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import selflengthen.model.config.GenerationDefaults;
import selflengthen.model.config.ModelConfig;
import selflengthen.model.io.DType;
import selflengthen.model.io.SafetensorsWriter;
import selflengthen.model.io.TensorSource;
import selflengthen.model.nn.Projection;
import selflengthen.model.nn.WeightNames;
import selflengthen.model.tokenizer.BpeTrainer;

/**
 * Builds models from scratch in the Hugging Face layout (config.json, model.safetensors,
 * tokenizer.json, tokenizer_config.json with a ChatML template, generation_config.json), so that
 * tests and demos load them through exactly the path a downloaded Qwen2 checkpoint takes.
 */
public final class ModelFactory {
  /** Qwen2-Instruct's ChatML template, as its tokenizer_config.json spells it. */
  public static final String CHATML_TEMPLATE =
      "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}"
          + "{{ '<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n' }}{% endif %}"
          + "{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}"
          + "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}";
  public static final String END_OF_TEXT = "<|endoftext|>";
  public static final String IM_START = "<|im_start|>";
  public static final String IM_END = "<|im_end|>";
  public static final List<String> SPECIAL_TOKENS = List.of(END_OF_TEXT, IM_START, IM_END);
  private static final ObjectMapper JSON = new ObjectMapper();

  private ModelFactory() {}

  /** A short mixed English/Chinese text shipped with the engine for tokenizers of test models. */
  public static String builtinCorpus() {
    try (InputStream in = ModelFactory.class.getResourceAsStream("builtin-corpus.txt")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Trains a byte-level BPE vocabulary with the ChatML special tokens at its end. */
  public static BpeTrainer.Vocabulary trainTokenizer(String corpus, int vocabSize) {
    return new BpeTrainer(vocabSize, 2, SPECIAL_TOKENS).train(corpus);
  }

  /**
   * {@code selflengthen model init}: a randomly initialised preset model with a tokenizer trained
   * on {@code corpusFile} (or the built-in text when null).
   */
  public static ModelConfig init(String preset, Path out, long seed, Path corpusFile)
      throws IOException {
    ModelPresets.Preset p = ModelPresets.get(preset);
    String corpus = corpusFile == null ? builtinCorpus() : Files.readString(corpusFile);
    return create(p.config(), trainTokenizer(corpus, p.targetVocab()), seed, out);
  }

  /**
   * Writes a complete checkpoint: the architecture of {@code shape} with the vocabulary's size,
   * random weights (normal with the config's initializer_range, norms 1, biases 0) drawn from
   * {@code seed}, and the tokenizer files. Returns the config written.
   */
  public static ModelConfig create(ModelConfig shape, BpeTrainer.Vocabulary vocab, long seed,
      Path out) throws IOException {
    int endOfText = vocab.id(END_OF_TEXT);
    int imEnd = vocab.id(IM_END);
    ModelConfig config = shape.withVocab(vocab.size(), List.of(imEnd), null);
    Files.createDirectories(out);
    writeTokenizer(vocab, config.maxPositionEmbeddings(), out);
    config.write(out);
    new GenerationDefaults(true, 0.7f, 20, 0.8f, 1.05f, null, List.of(imEnd, endOfText), endOfText)
        .write(out);
    SafetensorsWriter.writeCheckpoint(out, randomWeights(config, seed), DType.F32, 2L << 30);
    return config;
  }

  /** tokenizer.json and tokenizer_config.json (ChatML template, Qwen2-style special tokens). */
  public static void writeTokenizer(BpeTrainer.Vocabulary vocab, int maxLength, Path out)
      throws IOException {
    BpeTrainer.writeTokenizerJson(vocab, out.resolve("tokenizer.json"));
    ObjectNode n = JSON.createObjectNode();
    n.put("add_bos_token", false);
    n.put("add_prefix_space", false);
    ObjectNode decoder = n.putObject("added_tokens_decoder");
    for (String s : vocab.specialTokens()) {
      ObjectNode t = decoder.putObject(String.valueOf(vocab.id(s)));
      t.put("content", s);
      t.put("lstrip", false);
      t.put("normalized", false);
      t.put("rstrip", false);
      t.put("single_word", false);
      t.put("special", true);
    }
    n.putArray("additional_special_tokens").add(IM_START).add(IM_END);
    n.putNull("bos_token");
    n.put("chat_template", CHATML_TEMPLATE);
    n.put("clean_up_tokenization_spaces", false);
    n.put("eos_token", IM_END);
    n.put("errors", "replace");
    n.put("model_max_length", maxLength);
    n.put("pad_token", END_OF_TEXT);
    n.put("split_special_tokens", false);
    n.put("tokenizer_class", "Qwen2Tokenizer");
    n.putNull("unk_token");
    JSON.writerWithDefaultPrettyPrinter().writeValue(
        out.resolve("tokenizer_config.json").toFile(), n);
  }

  /** Random weights under their Hugging Face names, each tensor from its own seeded stream. */
  static List<TensorSource> randomWeights(ModelConfig c, long seed) {
    List<TensorSource> out = new ArrayList<>();
    long h = c.hiddenSize();
    double std = c.initializerRange();
    out.add(normal(WeightNames.EMBED, seed, std, c.vocabSize(), h));
    for (int l = 0; l < c.numLayers(); l++) {
      out.add(constant(WeightNames.layer(l, "input_layernorm.weight"), 1f, h));
      for (Projection p : Projection.values()) {
        for (String m : p.modules()) {
          String base = WeightNames.module(l, m);
          long rows = WeightNames.rows(c, m);
          out.add(normal(base + ".weight", seed, std, rows, WeightNames.inFeatures(c, m)));
          boolean bias = p == Projection.QKV ? c.attentionBias()
              : p == Projection.O && c.outputBias();
          if (bias) {
            out.add(constant(base + ".bias", 0f, rows));
          }
        }
      }
      out.add(constant(WeightNames.layer(l, "post_attention_layernorm.weight"), 1f, h));
    }
    out.add(constant(WeightNames.NORM, 1f, h));
    if (!c.tieWordEmbeddings()) {
      out.add(normal(WeightNames.LM_HEAD, seed, std, c.vocabSize(), h));
    }
    return out;
  }

  private static TensorSource normal(String name, long seed, double std, long... shape) {
    return new TensorSource(name, shape, () -> {
      SplittableRandom rnd = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + name.hashCode());
      long n = product(shape);
      ByteBuffer b = ByteBuffer.allocateDirect((int) (n * 4)).order(ByteOrder.nativeOrder());
      for (long i = 0; i < n; i++) {
        b.putFloat((float) (rnd.nextGaussian() * std));
      }
      return b.flip();
    });
  }

  private static TensorSource constant(String name, float value, long... shape) {
    return new TensorSource(name, shape, () -> {
      long n = product(shape);
      ByteBuffer b = ByteBuffer.allocateDirect((int) (n * 4)).order(ByteOrder.nativeOrder());
      for (long i = 0; i < n; i++) {
        b.putFloat(value);
      }
      return b.flip();
    });
  }

  private static long product(long[] shape) {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    return n;
  }
}
