package selflengthen.activities.testing;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import selflengthen.method.Paragraphs;
import selflengthen.model.api.ChatTemplate;
import selflengthen.model.api.FinishReason;
import selflengthen.model.api.GenerationRequest;
import selflengthen.model.api.GenerationResult;
import selflengthen.model.api.LanguageModel;

/**
 * A deterministic language model for tests: what it writes depends only on the prompt, the forced
 * prefix, the request's seed and the adapter, never on timing or on other requests.
 *
 * <ul>
 *   <li>AgentWrite plan ("Break the long writing task"): 2 to 4 "Paragraph i - Main Point: ... -
 *       Word Count: n words" lines after a preamble; its paragraphs are answers as below.
 *   <li>Judge question ("Reply with one word: Yes or No"): "No" for an instruction mentioning a
 *       haiku, else "Yes".
 *   <li>Self-instruct (a forced prefix ending "Instruction 3:"): by the seed, a new long-writing instruction (made
 *       of random words), a too-short one ("Hi there."), a haiku request (the judge refuses it) or a
 *       copy of the first example (a near duplicate of the pool).
 *   <li>Extension ("You are an experienced editor"): without a forced prefix, the draft with a new
 *       sentence added to each paragraph; with one, new paragraphs of about 0.8x the draft's words
 *       (one seed in five ends without closing punctuation, so the candidate fails the check).
 *   <li>Anything else is an instruction to answer: random sentences whose length depends on the
 *       seed and grows by 40 words per round of the adapter ("round-k" in its path); one seed in four
 *       ends without closing punctuation (fails the response check).
 * </ul>
 *
 * {@link #failAfter} makes it throw once after a number of calls (a dying engine).
 */
public final class ScriptedModel implements LanguageModel {
  private static final String[] SYLLABLES = {
    "ka", "lo", "mi", "ne", "su", "ta", "ri", "po", "da", "fe", "gu", "hi", "jo", "ku", "le", "ma",
    "no", "pi", "qua", "ro", "sa", "te", "vu", "wa", "xi", "yo", "ze", "bra", "cle", "dro", "fli",
    "gro", "pla", "sto", "tri", "bel", "cor", "dun", "fal", "gim"
  };
  private static final Pattern ROUND = Pattern.compile("round-(\\d+)");
  private static final Pattern INSTRUCTION_1 = Pattern.compile("Instruction 1: (.*)");

  public final AtomicInteger calls = new AtomicInteger();
  /** Sum of the completion tokens of every result returned. */
  public final AtomicLong completionTokens = new AtomicLong();
  public final List<GenerationRequest> requests = Collections.synchronizedList(new ArrayList<>());
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger maxInFlight = new AtomicInteger();
  private final AtomicInteger failAt = new AtomicInteger(-1);
  private volatile long delayMillis = 2;

  /** The next call after {@code n} more calls throws, once. */
  public void failAfter(int n) {
    failAt.set(calls.get() + n + 1);
  }

  /** Each call takes this long, so concurrent calls overlap (default 2 ms). */
  public void delay(long millis) {
    delayMillis = millis;
  }

  /** The most requests that were in progress at the same time. */
  public int maxInFlight() {
    return maxInFlight.get();
  }

  @Override
  public GenerationResult generate(GenerationRequest request) {
    int n = calls.incrementAndGet();
    requests.add(request);
    if (failAt.compareAndSet(n, -1)) {
      throw new IllegalStateException("scripted engine failure at call " + n);
    }
    maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
    try {
      if (delayMillis > 0) {
        Thread.sleep(delayMillis);
      }
      String text = answer(request);
      completionTokens.addAndGet(text.length());
      return new GenerationResult(text, request.prompt().length(), text.length(), FinishReason.STOP, new int[0]);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.util.concurrent.CancellationException("interrupted");
    } finally {
      inFlight.decrementAndGet();
    }
  }

  private static String answer(GenerationRequest r) {
    String prompt = r.prompt();
    SplittableRandom random = new SplittableRandom(r.sampling().seed() ^ prompt.hashCode());
    if (prompt.contains("Reply with one word: Yes or No")) {
      String instruction = between(prompt, "<instruction>\n", "\n</instruction>");
      return instruction.contains("haiku") ? "No" : "Yes";
    }
    if (r.forcedPrefix().endsWith("Instruction 3:") || prompt.contains("Now write Instruction 3")) {
      String full = prompt + "\n" + r.forcedPrefix();
      return switch (random.nextInt(6)) {
        case 0 -> " Hi there.";
        case 1 -> " Write a haiku about " + words(random, 3) + ".";
        case 2 -> {
          Matcher m = INSTRUCTION_1.matcher(full);
          yield m.find() ? " " + m.group(1) : " Hi.";
        }
        default -> " Write a detailed essay about " + words(random, 6) + ", covering its history, "
            + words(random, 4) + " and its future.";
      };
    }
    if (prompt.contains("Rewrite the user's request below so that it asks for a text of ")) {
      // Length control's rewrite: by the seed, the limit woven in, or lost.
      String limit = between(prompt, "asks for a text of ", ", and change");
      return random.nextBoolean() ? "Write the piece in " + limit + ", please." : "Write the piece at length.";
    }
    if (prompt.contains("Break the long writing task below into a plan of paragraphs")) {
      // AgentWrite's plan: 2 to 4 paragraphs with word budgets, after a preamble.
      int steps = 2 + random.nextInt(3);
      StringBuilder plan = new StringBuilder("Here is the plan:\n");
      for (int i = 1; i <= steps; i++) {
        plan.append("Paragraph ").append(i).append(" - Main Point: ").append(words(random, 5))
            .append(" - Word Count: ").append(200 + 100 * random.nextInt(4)).append(" words\n");
      }
      return plan.toString();
    }
    if (prompt.contains("You are an experienced editor")) {
      String draft = after(prompt, "Draft:\n\n");
      List<String> paragraphs = Paragraphs.split(draft);
      if (r.forcedPrefix().isEmpty()) {
        // One paragraph more than the draft, so the reference's 2/3 cut of even a one-paragraph
        // draft's expansion leaves a prefix and the whole-text call is told apart by it.
        return paragraphs.stream()
            .map(p -> p + " " + sentence(random))
            .collect(Collectors.joining("\n\n")) + "\n\n" + sentence(random);
      }
      int target = (int) (0.8 * count(draft)) + 10;
      String more = paragraphs(random, target);
      return "\n\n" + (random.nextInt(5) == 0 ? more.substring(0, more.length() - 1) + " and" : more);
    }
    int round = 0;
    if (r.adapter() != null) {
      Matcher m = ROUND.matcher(r.adapter());
      round = m.find() ? Integer.parseInt(m.group(1)) : 0;
    }
    int target = 40 + random.nextInt(60) + 40 * round;
    String text = paragraphs(random, target);
    return random.nextInt(4) == 0 ? text.substring(0, text.length() - 1) + " and so on" : text;
  }

  /** Paragraphs of 3 sentences until about {@code words} words, ending with a full stop. */
  private static String paragraphs(SplittableRandom random, int words) {
    List<String> out = new ArrayList<>();
    int made = 0;
    while (made < words) {
      StringBuilder p = new StringBuilder();
      for (int s = 0; s < 3; s++) {
        String sentence = sentence(random);
        p.append(s == 0 ? "" : " ").append(sentence);
        made += count(sentence);
      }
      out.add(p.toString());
    }
    return String.join("\n\n", out);
  }

  private static String sentence(SplittableRandom random) {
    String s = words(random, 6 + random.nextInt(6));
    return Character.toUpperCase(s.charAt(0)) + s.substring(1) + ".";
  }

  private static String words(SplittableRandom random, int n) {
    List<String> w = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      w.add(SYLLABLES[random.nextInt(SYLLABLES.length)] + SYLLABLES[random.nextInt(SYLLABLES.length)]
          + SYLLABLES[random.nextInt(SYLLABLES.length)]);
    }
    return String.join(" ", w);
  }

  private static int count(String text) {
    String t = text.strip();
    return t.isEmpty() ? 0 : t.split("\\s+").length;
  }

  private static String between(String s, String start, String end) {
    int a = s.indexOf(start);
    int b = s.indexOf(end, a + start.length());
    return a < 0 || b < 0 ? "" : s.substring(a + start.length(), b);
  }

  private static String after(String s, String start) {
    int a = s.indexOf(start);
    String rest = a < 0 ? s : s.substring(a + start.length());
    int end = rest.indexOf(ScriptedTemplate.END);
    return end < 0 ? rest : rest.substring(0, end);
  }

  @Override
  public ChatTemplate chatTemplate() {
    return new ScriptedTemplate();
  }

  @Override
  public String name() {
    return "scripted";
  }

  @Override
  public void close() {}

  /** "<|role|>content<|end|>" per turn, then "<|assistant|>". */
  static final class ScriptedTemplate implements ChatTemplate {
    static final String END = "<|end|>";

    @Override
    public String render(List<selflengthen.model.api.ChatMessage> messages, boolean addGenerationPrompt) {
      StringBuilder b = new StringBuilder();
      for (var m : messages) {
        b.append("<|").append(m.role()).append("|>").append(m.content()).append(END).append("\n");
      }
      if (addGenerationPrompt) {
        b.append("<|assistant|>");
      }
      return b.toString();
    }
  }
}
