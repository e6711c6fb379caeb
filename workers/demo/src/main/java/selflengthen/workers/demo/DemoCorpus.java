package selflengthen.workers.demo;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import selflengthen.method.ChatPrompt;
import selflengthen.method.Paragraphs;
import selflengthen.method.PromptSet;
import selflengthen.model.api.SftExample;

/**
 * The corpus the demo's seed model is pretrained on, rendered with the run's own prompts so the tiny
 * model learns exactly the formats the stages will ask it for: answering a task (answers of 1 to 4
 * paragraphs, so lengths vary widely), expanding a draft (the Extender's two calls, including a
 * forced start), writing a third task after two examples (self-instruct) and saying whether a task
 * needs a long answer (the judge). Held-out tasks are (template, topic) pairs kept out of the corpus.
 */
public final class DemoCorpus {

  /** How many examples of each kind. */
  public record Sizes(int answers, int expansions, int selfInstruct, int judge, int heldOut, int seeds) {
    public static Sizes demo() {
      return new Sizes(360, 320, 160, 120, 16, 8);
    }

    public static Sizes small() {
      return new Sizes(240, 220, 120, 80, 12, 8);
    }
  }

  /** Everything the demo needs: the pretraining examples, the seed tasks and the held-out tasks. */
  public record Built(List<SftExample> examples, List<String> seedTasks, List<String> heldOutTasks) {}

  private final PromptSet prompts;
  private final int judgeLongWords;

  public DemoCorpus(PromptSet prompts, int judgeLongWords) {
    this.prompts = prompts;
    this.judgeLongWords = judgeLongWords;
  }

  public Built build(Sizes sizes, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    DemoWorld world = new DemoWorld(random);
    List<String> heldOut = distinctTasks(world, sizes.heldOut(), Set.of());
    Set<String> reserved = new HashSet<>(heldOut);
    List<String> seeds = distinctTasks(world, sizes.seeds(), reserved);

    List<SftExample> examples = new ArrayList<>();
    for (int i = 0; i < sizes.answers(); i++) {
      String topic = world.topic();
      String task = taskOutside(world, topic, reserved);
      examples.add(example(prompts.respond(task), world.answer(topic, 1 + random.nextInt(4))));
    }
    for (int i = 0; i < sizes.expansions(); i++) {
      String topic = world.topic();
      String task = taskOutside(world, topic, reserved);
      String draft = world.answer(topic, 1 + random.nextInt(4));
      String expanded = world.expand(topic, draft);
      if (random.nextBoolean()) {
        examples.add(example(prompts.extendFormer(task, Paragraphs.former(draft)),
            world.expand(topic, Paragraphs.former(draft))));
      } else {
        // The continuation call: the answer starts with the first part of an expansion.
        String prefix = Paragraphs.prefix(expanded, Paragraphs.REFERENCE_PREFIX_FRACTION);
        examples.add(example(prompts.extendWhole(task, draft, prefix), expanded));
      }
    }
    for (int i = 0; i < sizes.selfInstruct(); i++) {
      String a = world.longTask(world.topic());
      String b = world.longTask(world.topic());
      String third = random.nextInt(8) == 0 ? world.shortTask(world.topic())
          : taskOutside(world, world.topic(), reserved);
      ChatPrompt prompt = prompts.selfInstruct(a, b);
      examples.add(example(prompt, prompt.assistantPrefix() + " " + third));
    }
    for (int i = 0; i < sizes.judge(); i++) {
      boolean isLong = random.nextBoolean();
      String task = isLong ? world.longTask(world.topic()) : world.shortTask(world.topic());
      examples.add(example(prompts.judgeInstruction(task, judgeLongWords), isLong ? "Yes" : "No"));
    }
    // Interleave kinds so every optimizer step sees a mix.
    java.util.Collections.shuffle(examples, new java.util.Random(seed));
    return new Built(List.copyOf(examples), seeds, heldOut);
  }

  private static List<String> distinctTasks(DemoWorld world, int n, Set<String> avoid) {
    Set<String> out = new java.util.LinkedHashSet<>();
    while (out.size() < n) {
      String t = world.longTask(world.topic());
      if (!avoid.contains(t)) {
        out.add(t);
      }
    }
    return List.copyOf(out);
  }

  private static String taskOutside(DemoWorld world, String topic, Set<String> reserved) {
    String t;
    do {
      t = world.longTask(topic);
    } while (reserved.contains(t));
    return t;
  }

  /** An SFT example whose output is the whole answer, forced start included. */
  private static SftExample example(ChatPrompt prompt, String output) {
    if (!prompt.system().isBlank()) {
      throw new IllegalStateException("the demo's prompts carry no system turn");
    }
    return new SftExample(prompt.user(), "", output);
  }
}
