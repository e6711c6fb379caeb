package selflengthen.workers.demo;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import selflengthen.method.ChatPrompt;
import selflengthen.method.LanguageProfile;
import selflengthen.method.Paragraphs;
import selflengthen.method.PromptSet;
import selflengthen.method.ResponseCheck;
import selflengthen.method.WordCount;
import selflengthen.model.Models;
import selflengthen.model.api.GenerationResult;
import selflengthen.model.api.LanguageModel;
import selflengthen.model.api.SamplingParams;

/** Manual probe (not a test): builds the demo seed model and prints what it writes. */
public final class SeedModelProbe {
  public static void main(String[] args) throws Exception {
    System.setProperty("ai.djl.offline", "true");
    PrintWriter log = new PrintWriter(System.out, true);
    DemoSeedModel.Settings s = args.length > 1 && args[1].equals("small")
        ? DemoSeedModel.Settings.small() : DemoSeedModel.Settings.demo();
    DemoSeedModel.Built built = DemoSeedModel.ensure(Path.of(args[0]), s, false, log);
    PromptSet prompts = DemoPrompts.promptSet();
    ResponseCheck check = LanguageProfile.EN.defaultCheck();
    try (LanguageModel model = Models.open(built.modelDir())) {
      List<CompletableFuture<GenerationResult>> fs = new ArrayList<>();
      long t0 = System.nanoTime();
      int i = 0;
      for (String task : built.heldOutTasks()) {
        for (int k = 0; k < 2; k++) {
          ChatPrompt p = prompts.respond(task);
          long seed = 1000 + i++;
          fs.add(CompletableFuture.supplyAsync(() -> model.chat(p.messages(), "",
              new SamplingParams(0.7f, 20, 0.8f, 1.1f, seed), 1024, List.of(), null)));
        }
      }
      double sum = 0;
      int pass = 0;
      int n = 0;
      long tokens = 0;
      for (CompletableFuture<GenerationResult> f : fs) {
        GenerationResult r = f.get();
        int w = WordCount.selfLengthen(r.text());
        sum += w;
        n++;
        tokens += r.completionTokens();
        if (check.check(r.text()).passed()) {
          pass++;
        } else if (n < 6) {
          System.out.println("FAIL: " + check.check(r.text()));
        }
        if (n <= 2) {
          System.out.println("---- " + w + " words, " + r.finishReason() + "\n" + r.text());
        }
      }
      double secs = (System.nanoTime() - t0) / 1e9;
      System.out.printf("respond: n=%d mean words %.1f pass %d/%d tokens %d in %.1fs%n", n, sum / n,
          pass, n, tokens, secs);
      // One extension micro-iteration on the first answer.
      String task = built.heldOutTasks().get(0);
      String current = fs.get(0).get().text();
      ChatPrompt former = prompts.extendFormer(task, Paragraphs.former(current));
      GenerationResult e1 = model.chat(former.messages(), "", new SamplingParams(0.7f, 20, 0.8f, 1.1f, 5), 1024, List.of(), null);
      String prefix = Paragraphs.prefix(e1.text(), Paragraphs.REFERENCE_PREFIX_FRACTION);
      ChatPrompt whole = prompts.extendWhole(task, current, prefix);
      GenerationResult e2 = model.chat(whole.messages(), prefix, new SamplingParams(0.7f, 20, 0.8f, 1.1f, 6), 1024, List.of(), null);
      String cand = prefix + e2.text();
      System.out.printf("extend: current %d words, former-expansion %d, candidate %d words, check %s%n",
          WordCount.selfLengthen(current), WordCount.selfLengthen(e1.text()), WordCount.selfLengthen(cand), check.check(cand));
      System.out.println("CANDIDATE:\n" + cand);
      ChatPrompt si = prompts.selfInstruct(built.seedTasks().get(0), built.seedTasks().get(1));
      for (int k = 0; k < 4; k++) {
        GenerationResult g = model.chat(si.messages(), si.assistantPrefix(), new SamplingParams(0.7f, 20, 0.8f, 1.1f, 50 + k), 64, List.of(), null);
        ChatPrompt judge = prompts.judgeInstruction(g.text().strip(), 2000);
        GenerationResult j = model.chat(judge.messages(), "", SamplingParams.greedy(), 4, List.of(), null);
        System.out.println("self-instruct: [" + g.text() + "] judge: [" + j.text() + "]");
      }
    }
  }
}
