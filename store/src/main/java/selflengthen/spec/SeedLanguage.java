package selflengthen.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import selflengthen.v1.Language;
import selflengthen.v1.RunSpec;

/**
 * The run's language from its seed file. The response check, word count and prompts follow the
 * language (the reference has one pipeline per language: qwen/ for Chinese, llama/ for English), so
 * Chinese seeds checked by the English rules would keep almost nothing. A spec that leaves the
 * language out gets the seeds' language; one that names the other language is refused.
 */
public final class SeedLanguage {
  private static final ObjectMapper JSON = new ObjectMapper();

  private SeedLanguage() {}

  /**
   * Chinese when the instructions hold more CJK characters than Latin-script words (a CJK
   * character counts as a word in the reference's count_words), else English.
   */
  public static Language of(List<String> instructions) {
    long cjk = 0;
    long latinWords = 0;
    for (String text : instructions) {
      boolean inWord = false;
      for (int i = 0; i < text.length(); ) {
        int c = text.codePointAt(i);
        i += Character.charCount(c);
        if (Character.UnicodeScript.of(c) == Character.UnicodeScript.HAN) {
          cjk++;
          inWord = false;
        } else if (Character.isLetter(c) && c < 0x250) {
          if (!inWord) {
            latinWords++;
          }
          inWord = true;
        } else {
          inWord = false;
        }
      }
    }
    return cjk > latinWords ? Language.LANGUAGE_ZH : Language.LANGUAGE_EN;
  }

  /** The language of a seed file's instructions; empty when it cannot be read (the validator says why). */
  public static Optional<Language> ofFile(String file) {
    if (file == null || file.isBlank()) {
      return Optional.empty();
    }
    List<String> texts = new java.util.ArrayList<>();
    try (BufferedReader in = Files.newBufferedReader(Path.of(file), StandardCharsets.UTF_8)) {
      for (String line; (line = in.readLine()) != null; ) {
        if (line.isBlank()) {
          continue;
        }
        JsonNode row;
        try {
          row = JSON.readTree(line);
        } catch (IOException e) {
          return Optional.empty();
        }
        String text = SpecValidator.instruction(row);
        if (text != null) {
          texts.add(text);
        }
      }
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
    return texts.isEmpty() ? Optional.empty() : Optional.of(of(texts));
  }

  /**
   * The spec with its language set from the seeds when it had none.
   *
   * @throws SpecValidationException (one problem, one line) when the spec's language contradicts
   *     the seeds'
   */
  public static RunSpec apply(RunSpec spec) {
    String seedFile = spec.getSelfInstruct().getSeedFile();
    Optional<Language> seeds = ofFile(seedFile);
    if (seeds.isEmpty()) {
      return spec;
    }
    Language named = spec.getLanguage();
    if (named == Language.LANGUAGE_UNSPECIFIED) {
      return spec.toBuilder().setLanguage(seeds.get()).build();
    }
    if (named != seeds.get()) {
      throw new SpecValidationException(List.of(new SpecProblem("language",
          "the spec says " + named + " but the seed file " + seedFile + " is "
              + (seeds.get() == Language.LANGUAGE_ZH ? "Chinese" : "English")
              + "; set language to " + seeds.get() + " or leave it out to take the seeds' language")));
    }
    return spec;
  }
}
