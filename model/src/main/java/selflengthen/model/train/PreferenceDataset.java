package selflengthen.model.train;

import java.util.ArrayList;
import java.util.List;
import selflengthen.model.api.ChatMessage;
import selflengthen.model.api.ChatTemplate;
import selflengthen.model.api.PreferenceExample;
import selflengthen.model.tokenizer.TextTokenizer;

/**
 * Preference pairs as token sequences: one rendered prompt (as {@link SftDataset} renders the user
 * turn) followed by the chosen or the rejected response and the end-of-turn token. The cut-off is
 * shared the way LLaMA-Factory shares it for pairs: the prompt and the longer of the two responses
 * are fitted as one SFT example would be, and both responses are cut to the same target length.
 * A pair whose rejected side has its own instruction renders that one for the rejected sequence
 * (the longer of the two prompts is the one fitted).
 */
final class PreferenceDataset {
  /** The two sequences of one pair; only response tokens count in a sequence's log-probability. */
  record Pair(SftDataset.Sample chosen, SftDataset.Sample rejected) {}

  private PreferenceDataset() {}

  static List<Pair> build(List<PreferenceExample> examples, ChatTemplate template,
      TextTokenizer tokenizer, int endToken, int cutoffLen) {
    List<Pair> out = new ArrayList<>(examples.size());
    for (PreferenceExample e : examples) {
      String user = SftDataset.userTurn(new selflengthen.model.api.SftExample(e.instruction(),
          e.input(), ""));
      int[] source = tokenizer.encode(template.render(List.of(ChatMessage.user(user)), true));
      int[] rejectedSource = e.promptDiffers()
          ? tokenizer.encode(template.render(List.of(ChatMessage.user(e.rejectedInstruction())),
              true))
          : source;
      int[] chosen = withEnd(tokenizer.encode(e.chosen()), endToken);
      int[] rejected = withEnd(tokenizer.encode(e.rejected()), endToken);
      int[] lengths = SftDataset.fit(Math.max(source.length, rejectedSource.length),
          Math.max(chosen.length, rejected.length), cutoffLen);
      if (lengths[1] <= 0) {
        continue;
      }
      out.add(new Pair(sample(source, Math.min(lengths[0], source.length), chosen, lengths[1]),
          sample(rejectedSource, Math.min(lengths[0], rejectedSource.length), rejected,
              lengths[1])));
    }
    return out;
  }

  private static int[] withEnd(int[] body, int endToken) {
    int[] t = new int[body.length + 1];
    System.arraycopy(body, 0, t, 0, body.length);
    t[body.length] = endToken;
    return t;
  }

  private static SftDataset.Sample sample(int[] source, int sourceLen, int[] target, int maxTarget) {
    int targetLen = Math.min(maxTarget, target.length);
    int[] ids = new int[sourceLen + targetLen];
    System.arraycopy(source, 0, ids, 0, sourceLen);
    System.arraycopy(target, 0, ids, sourceLen, targetLen);
    return new SftDataset.Sample(ids, sourceLen);
  }
}
