package selflengthen.workers.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * A small synthetic world the demo's seed model learns to write about: topics, writing tasks and
 * answers built from a sentence grammar. Every string here is the project's own. The grammar has many
 * choices per slot and few fixed words, so texts of a few hundred words rarely repeat a 10-word
 * sequence (the response check rejects those), and answers vary widely in length, which is what
 * Self-Lengthen feeds on.
 */
public final class DemoWorld {

  static final List<String> TOPICS = List.of(
      "river towns", "glass makers", "mountain birds", "night markets", "old bridges",
      "tea gardens", "winter festivals", "paper lanterns", "harbor cities", "desert roads",
      "salt marshes", "village bakers", "clock towers", "island ferries", "forest paths",
      "copper mines", "silk weavers", "lighthouse keepers", "orchard farms", "stone quarries",
      "canal boats", "spice traders", "snow villages", "bell foundries", "cloud observers",
      "wool spinners", "map makers", "honey farmers", "street musicians", "rice terraces",
      "pottery towns", "windmill keepers", "coastal caves", "library halls", "glacier valleys",
      "kite builders", "rope makers", "bamboo groves", "reed boats", "sun dials");

  private static final List<String> LONG_TASKS = List.of(
      "Write a detailed essay about %s.",
      "Describe the long history of %s in depth.",
      "Write a long story set among %s.",
      "Explain how %s changed over the centuries, with many examples.",
      "Write a thorough report on %s for a general reader.",
      "Compose a rich travel account of a season spent with %s.",
      "Write an extended guide to the daily life of %s.",
      "Give a full account of the customs of %s.");

  private static final List<String> SHORT_TASKS = List.of(
      "Name one color linked to %s.",
      "Give a short title for a note on %s.",
      "Say in one word how %s feel.",
      "Reply yes or no: are %s old?",
      "List two tools used by %s.",
      "Give the number of seasons %s have.");

  private static final List<String> OPENERS = List.of(
      "In early spring", "Long ago", "Each morning", "By the late season", "Over many years",
      "At first light", "During the cold months", "After the great flood", "Near the end of summer",
      "On market days", "Through the long nights", "When the roads opened", "Before the harvest",
      "In quiet years", "Every autumn", "Under a pale moon", "Within living memory",
      "At the turn of the year", "On festival evenings", "In hard times");

  private static final List<String> PEOPLE = List.of(
      "the makers", "the old families", "young workers", "travelling traders", "the river guides",
      "patient teachers", "the village elders", "skilled hands", "curious children",
      "the night watch", "two brothers", "a careful widow", "the guild masters", "wandering poets",
      "the first settlers", "local farmers", "the boat crews", "a quiet scholar", "the town clerks",
      "busy apprentices");

  private static final List<String> VERBS = List.of(
      "carried", "shaped", "gathered", "painted", "mended", "traded", "studied", "polished",
      "measured", "stored", "shared", "sorted", "guarded", "repaired", "counted", "planted",
      "borrowed", "decorated", "tested", "hauled");

  private static final List<String> OBJECTS = List.of(
      "bright cloth", "heavy stones", "small boats", "fresh bread", "copper bells", "thin glass",
      "wooden frames", "salted fish", "woven baskets", "clay jars", "old maps", "silver thread",
      "dry reeds", "warm blankets", "iron hooks", "painted tiles", "green tea", "fine rope",
      "carved spoons", "wax candles");

  private static final List<String> PURPOSES = List.of(
      "for the coming feast", "to earn a fair price", "so that nothing was wasted",
      "while the children watched", "against the winter wind", "for distant cousins",
      "as their parents had done", "with great care", "before the rains came",
      "to honor the founders", "for the long journey", "in the shade of the walls",
      "without a single complaint", "for the new bridge", "under the watch of the council",
      "to keep the old promise", "beside the busy square", "with songs and laughter",
      "for travellers at the gate", "despite the rising prices");

  private static final List<String> LINKS = List.of(
      "Because of this", "Still", "Even so", "For that reason", "Later", "In time", "Meanwhile",
      "As a result", "Soon", "At last");

  private static final List<String> RESULTS = List.of(
      "the town grew richer", "the craft spread to nearby valleys", "the old ways survived",
      "visitors began to arrive", "the work became famous", "new roads were built",
      "every family found a role", "the records were kept safe", "the songs changed slowly",
      "the markets stayed busy", "the young learned quickly", "the river trade doubled",
      "the tools improved each year", "the festival grew larger", "strangers became neighbors");

  private final RandomGenerator random;

  public DemoWorld(RandomGenerator random) {
    this.random = random;
  }

  public String topic() {
    return pick(TOPICS);
  }

  /** A writing task that calls for a long answer (the judge should say yes). */
  public String longTask(String topic) {
    return String.format(pick(LONG_TASKS), topic);
  }

  /** A task that calls for a one-line answer (the judge should say no). */
  public String shortTask(String topic) {
    return String.format(pick(SHORT_TASKS), topic);
  }

  /** One sentence about the topic, 9 to 16 words, ending with a full stop. */
  public String sentence(String topic) {
    return switch (random.nextInt(3)) {
      case 0 -> pick(OPENERS) + ", " + pick(PEOPLE) + " of the " + topic + " " + pick(VERBS) + " "
          + pick(OBJECTS) + " " + pick(PURPOSES) + ".";
      case 1 -> capitalise(pick(PEOPLE)) + " " + pick(VERBS) + " " + pick(OBJECTS) + " "
          + pick(PURPOSES) + ", and " + pick(RESULTS) + ".";
      default -> pick(LINKS) + ", " + pick(RESULTS) + " among the " + topic + " "
          + pick(PURPOSES) + ".";
    };
  }

  /** A paragraph of {@code sentences} sentences. */
  public String paragraph(String topic, int sentences) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < sentences; i++) {
      if (i > 0) {
        b.append(' ');
      }
      b.append(sentence(topic));
    }
    return b.toString();
  }

  /** An answer of {@code paragraphs} paragraphs (2 or 3 sentences each), separated by blank lines. */
  public String answer(String topic, int paragraphs) {
    List<String> parts = new ArrayList<>();
    for (int i = 0; i < paragraphs; i++) {
      parts.add(paragraph(topic, 2 + random.nextInt(2)));
    }
    return String.join("\n\n", parts);
  }

  /**
   * A longer, richer version of {@code text}: every paragraph keeps its sentences and gains one
   * more, and one new paragraph follows. About 1.9x the words of a two-paragraph draft, falling
   * towards 1.4x for long drafts, so three micro-iterations lengthen a text without letting it
   * explode (the demo's extension prompts stay a few hundred tokens long).
   */
  public String expand(String topic, String text) {
    List<String> out = new ArrayList<>();
    for (String p : text.split("\n\n")) {
      out.add(p + " " + sentence(topic));
    }
    out.add(paragraph(topic, 2 + random.nextInt(2)));
    return String.join("\n\n", out);
  }

  private String pick(List<String> options) {
    return options.get(random.nextInt(options.size()));
  }

  private static String capitalise(String s) {
    return Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }
}
