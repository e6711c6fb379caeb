package selflengthen.model.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import selflengthen.model.api.ChatMessage;
import selflengthen.model.api.ChatTemplate;
import selflengthen.model.api.SftExample;
import selflengthen.model.tokenizer.TextTokenizer;

/**
 * Alpaca-style examples turned into token sequences with the checkpoint's chat template: the
 * prompt is the rendered user turn (instruction, plus a blank line and the input when there is
 * one) with the generation prompt; the response is the output followed by the template's
 * end-of-turn token, and only response tokens carry a loss.
 */
public final class SftDataset {
  /** Token ids and where the response starts. */
  public record Sample(int[] ids, int promptLength) {}

  private SftDataset() {}

  public static String userTurn(SftExample e) {
    String input = e.input() == null ? "" : e.input();
    return input.isEmpty() ? e.instruction() : e.instruction() + "\n\n" + input;
  }

  public static List<Sample> build(List<SftExample> examples, ChatTemplate template,
      TextTokenizer tokenizer, int endToken, int cutoffLen) {
    List<Sample> out = new ArrayList<>(examples.size());
    for (SftExample e : examples) {
      String prompt = template.render(List.of(ChatMessage.user(userTurn(e))), true);
      int[] source = tokenizer.encode(prompt);
      int[] body = tokenizer.encode(e.output() == null ? "" : e.output());
      int[] target = new int[body.length + 1];
      System.arraycopy(body, 0, target, 0, body.length);
      target[body.length] = endToken;
      int[] lengths = fit(source.length, target.length, cutoffLen);
      int[] ids = new int[lengths[0] + lengths[1]];
      System.arraycopy(source, 0, ids, 0, lengths[0]);
      System.arraycopy(target, 0, ids, lengths[0], lengths[1]);
      if (lengths[1] > 0) {
        out.add(new Sample(ids, lengths[0]));
      }
    }
    return out;
  }

  /**
   * Lengths kept of source and target under a cut-off, the way LLaMA-Factory shares it: the
   * shorter side is kept whole when it fits in half, otherwise both shrink in proportion.
   */
  static int[] fit(int source, int target, int cutoff) {
    if (cutoff <= 0 || source + target <= cutoff) {
      return new int[] {source, target};
    }
    int maxTarget;
    if (target * 2 < cutoff) {
      maxTarget = target;
    } else if (source * 2 < cutoff) {
      maxTarget = cutoff - source;
    } else {
      maxTarget = (int) (cutoff * ((double) target / (source + target)));
    }
    int newTarget = Math.min(maxTarget, target);
    int newSource = Math.min(Math.max(cutoff - newTarget, 0), source);
    return new int[] {newSource, newTarget};
  }

  /**
   * The token a template puts after an assistant message (ChatML's im_end, Llama 3's eot_id):
   * the first token of what follows the content in a rendered conversation, when it is a
   * special token; otherwise the first end-of-sequence id.
   */
  public static int endOfTurnToken(ChatTemplate template, TextTokenizer tokenizer,
      Set<Integer> eos) {
    String marker = "MARKER-7f3a";
    try {
      String rendered = template.render(
          List.of(ChatMessage.user("hi"), ChatMessage.assistant(marker)), false);
      int at = rendered.lastIndexOf(marker);
      if (at >= 0) {
        int[] suffix = tokenizer.encode(rendered.substring(at + marker.length()));
        if (suffix.length > 0 && tokenizer.addedTokens().containsValue(suffix[0])) {
          return suffix[0];
        }
      }
    } catch (RuntimeException ignored) {
      // templates without an assistant turn fall back to EOS below
    }
    if (eos.isEmpty()) {
      throw new IllegalArgumentException("cannot tell the end-of-turn token: no chat template"
          + " end marker and no eos_token_id");
    }
    return eos.iterator().next();
  }
}
