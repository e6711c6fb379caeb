package selflengthen.workers.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import selflengthen.activities.CallIds;
import selflengthen.activities.Roles;
import selflengthen.activities.RunPaths;
import selflengthen.activities.Stages;
import selflengthen.activities.models.ModelPool;
import selflengthen.activities.preference.PreferenceActivitiesImpl;
import selflengthen.activities.support.DataRoots;
import selflengthen.activities.support.MethodSetup;
import selflengthen.activities.train.DpoActivitiesImpl;
import selflengthen.eval.ConstraintType;
import selflengthen.eval.LengthWindow;
import selflengthen.method.ChatPrompt;
import selflengthen.method.agentwrite.AgentWritePrompts;
import selflengthen.method.agentwrite.AgentWriter;
import selflengthen.method.agentwrite.Plan;
import selflengthen.method.agentwrite.PlanParser;
import selflengthen.model.api.GenerationResult;
import selflengthen.model.api.LanguageModel;
import selflengthen.model.api.SamplingParams;
import selflengthen.spec.SpecDefaults;
import selflengthen.store.DataStore;
import selflengthen.v1.AdapterRef;
import selflengthen.v1.BuiltPreferenceSets;
import selflengthen.v1.DatasetRef;
import selflengthen.v1.DpoTask;
import selflengthen.v1.DpoWhen;
import selflengthen.v1.ModelRef;
import selflengthen.v1.PreferenceMethod;
import selflengthen.v1.PreferenceSetsTask;
import selflengthen.v1.RunSpec;
import selflengthen.v1.Sampling;
import selflengthen.v1.StageContext;
import selflengthen.v1.TrainingResult;

/**
 * Side by side on one finished run (the demo's): the held-out tasks with a length constraint
 * added ("about N words", LonGen's window), answered by the seed model, the Generator after each
 * SFT round, the last round's Generator after DPO on every round's preference pairs (the
 * {@code DPO_WHEN_LAST_ROUND} setting), and AgentWrite with the seed model. For each: mean words,
 * LonGen's length-following score, wall time and tokens. The pairs and the DPO adapter are made
 * with the same activities a run uses, under {@code runs/<run>/bench-preference/}.
 */
public final class PreferenceBenchmark {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** The word counts asked for, in turn: around the demo's seed (~110) and trained (~400) lengths. */
  static final int[] TARGETS = {150, 300, 450};

  /**
   * @param dpoLearningRates one SFT + DPO variant each; empty: the spec's training.dpo.learning_rate
   */
  public record Options(Path dataRoot, String runId, List<Float> dpoLearningRates, Float dpoEpochs, int maxTasks) {}

  private final Options options;

  public PreferenceBenchmark(Options options) {
    this.options = options;
  }

  /** One variant's figures. */
  record Figures(String name, int answers, double meanWords, double lengthScore, double seconds,
      long completionTokens, long calls) {
    Map<String, Object> json() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("variant", name);
      m.put("answers", answers);
      m.put("mean_words", round(meanWords));
      m.put("length_score", round(lengthScore));
      m.put("seconds", round(seconds));
      m.put("completion_tokens", completionTokens);
      m.put("model_calls", calls);
      return m;
    }
  }

  /** A task with its constraint. */
  record Task(String query, int target) {}

  public Map<String, Object> run() throws Exception {
    DataStore store = DataStore.open(options.dataRoot());
    RunSpec stored = store.readSpec(options.runId());
    // The run's own store, wherever it was first written; DPO once after the last round.
    RunSpec.Builder b = SpecDefaults.resolve(stored).toBuilder().setDataRoot(store.root().toString());
    b.getTrainingBuilder().setPreference(PreferenceMethod.PREFERENCE_METHOD_DPO)
        .getDpoBuilder().setWhen(DpoWhen.DPO_WHEN_LAST_ROUND);
    if (options.dpoEpochs() != null) {
      b.getTrainingBuilder().getDpoBuilder().setEpochs(options.dpoEpochs());
    }
    RunSpec spec = b.build();
    String run = spec.getRunId();
    int rounds = finishedRounds(store, run, spec.getRounds());
    if (rounds == 0) {
      throw new IllegalArgumentException("run " + run + " has no round with a Generator adapter in " + store.root());
    }
    List<Task> tasks = tasks(spec);
    DataRoots roots = new DataRoots(store);

    Map<String, Object> result = new LinkedHashMap<>();
    result.put("run", run);
    result.put("tasks", tasks.size());
    result.put("targets_words", TARGETS);
    result.put("rounds", rounds);

    // Preference pairs of every round, then DPO on top of the last round's SFT adapter.
    long t0 = System.nanoTime();
    List<DatasetRef> pairs = new ArrayList<>();
    long pairCount = 0;
    PreferenceActivitiesImpl preference = new PreferenceActivitiesImpl(roots);
    for (int k = 1; k <= rounds; k++) {
      String extended = RunPaths.stageOutput(run, k, Stages.EXTEND);
      BuiltPreferenceSets built = preference.buildPreferenceSets(PreferenceSetsTask.newBuilder()
          .setContext(context(spec, k, "bench_preference"))
          .setExtended(DatasetRef.newBuilder().setPath(extended).setSha256(store.sha256(extended)))
          .setOutputDir(benchDir(run) + "/round-" + k + "/preference")
          .setSeed(spec.getSeed() + k)
          .build());
      pairs.add(built.getPairs());
      pairCount += built.getPairs().getCount();
    }
    double pairSeconds = (System.nanoTime() - t0) / 1e9;
    String sft = RunPaths.adapterDir(run, rounds, Roles.GENERATOR);
    List<Float> rates = options.dpoLearningRates() == null || options.dpoLearningRates().isEmpty()
        ? List.of(spec.getTraining().getDpo().getLearningRate()) : options.dpoLearningRates();
    List<Map<String, Object>> dpoRuns = new ArrayList<>();
    Map<String, String> dpoAdapters = new LinkedHashMap<>();
    for (float rate : rates) {
      RunSpec rated = spec.toBuilder().setTraining(spec.getTraining().toBuilder()
          .setDpo(spec.getTraining().getDpo().toBuilder().setLearningRate(rate))).build();
      String dir = benchDir(run) + String.format(Locale.ROOT, "/train_dpo-lr%s-ep%s", rate, rated.getTraining().getDpo().getEpochs());
      long t1 = System.nanoTime();
      TrainingResult dpo = new DpoActivitiesImpl(roots).trainDpo(DpoTask.newBuilder()
          .setContext(context(rated, rounds, "bench_train_dpo"))
          .addAllPairs(pairs)
          .setSftAdapter(AdapterRef.newBuilder().setPath(sft).setRole(Roles.GENERATOR).setRound(rounds))
          .setOutputDir(dir + "/adapter")
          .setSeed(spec.getSeed())
          .build());
      double dpoSeconds = (System.nanoTime() - t1) / 1e9;
      Map<String, Object> dpoJson = new LinkedHashMap<>();
      dpoJson.put("pairs", pairCount);
      dpoJson.put("beta", rated.getTraining().getDpo().getBeta());
      dpoJson.put("learning_rate", rate);
      dpoJson.put("epochs", rated.getTraining().getDpo().getEpochs());
      dpoJson.put("steps", dpo.getSteps());
      dpoJson.put("first_loss", round(dpo.getFirstLoss()));
      dpoJson.put("final_loss", round(dpo.getFinalLoss()));
      dpoJson.put("pair_seconds", round(pairSeconds));
      dpoJson.put("train_seconds", round(dpoSeconds));
      Path report = store.resolve(dir + "/" + DpoActivitiesImpl.REPORT);
      if (Files.exists(report)) {
        JsonNode r = JSON.readTree(report.toFile());
        dpoJson.put("first_margin", round(r.path("first_margin").asDouble()));
        dpoJson.put("last_margin", round(r.path("last_margin").asDouble()));
        dpoJson.put("last_accuracy", round(r.path("last_accuracy").asDouble()));
      }
      dpoRuns.add(dpoJson);
      dpoAdapters.put(String.format(Locale.ROOT, "sft + dpo lr %s (after round %d)", rate, rounds),
          store.resolve(dpo.getSteps() == 0 ? sft : dpo.getAdapter().getPath()).toString());
    }
    result.put("dpo", dpoRuns);

    List<Map<String, Object>> variants = new ArrayList<>();
    try (ModelPool pool = new ModelPool()) {
      ModelRef ref = spec.getModels().getGenerator();
      LanguageModel model = pool.model(ref, spec.getModels().getMaxBatchSize());
      Sampling sampling = spec.getMeasurement().getSampling();
      Answerer answers = new Answerer(model, sampling, spec.getModels().getMaxBatchSize());
      MethodSetup method = MethodSetup.of(spec);
      variants.add(answers.direct("seed model", tasks, method, null).json());
      for (int k = 1; k <= rounds; k++) {
        String adapter = store.resolve(RunPaths.adapterDir(run, k, Roles.GENERATOR)).toString();
        variants.add(answers.direct("sft round " + k, tasks, method, adapter).json());
      }
      for (Map.Entry<String, String> e : dpoAdapters.entrySet()) {
        variants.add(answers.direct(e.getKey(), tasks, method, e.getValue()).json());
      }
      variants.add(answers.agentWrite("agentwrite, seed model", tasks, method).json());
    }
    result.put("variants", variants);
    return result;
  }

  private static String benchDir(String run) {
    return RunPaths.runDir(run) + "/bench-preference";
  }

  private static StageContext context(RunSpec spec, int round, String stage) {
    return StageContext.newBuilder().setSpec(spec).setRound(round).setStage(stage)
        .setCallId(CallIds.stage(spec.getRunId(), round, stage)).build();
  }

  private static int finishedRounds(DataStore store, String run, int rounds) {
    int k = 0;
    while (k < rounds && store.exists(RunPaths.adapterDir(run, k + 1, Roles.GENERATOR) + "/adapter_model.safetensors")
        && store.exists(RunPaths.stageOutput(run, k + 1, Stages.EXTEND))) {
      k++;
    }
    return k;
  }

  /** The run's measurement tasks, each asking for about 150, 300 or 450 words in turn. */
  private List<Task> tasks(RunSpec spec) throws IOException {
    List<Task> out = new ArrayList<>();
    for (String line : Files.readAllLines(Path.of(spec.getMeasurement().getTasksFile()))) {
      if (line.isBlank() || out.size() >= options.maxTasks()) {
        continue;
      }
      String instruction = selflengthen.spec.SpecValidator.instruction(JSON.readTree(line));
      int target = TARGETS[out.size() % TARGETS.length];
      String query = instruction.strip() + String.format(Locale.ROOT, " Write about %d words.", target);
      out.add(new Task(query, target));
    }
    return out;
  }

  private static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }

  /** Answers tasks concurrently (the engine batches them) and scores them. */
  private static final class Answerer {
    private final LanguageModel model;
    private final Sampling sampling;
    private final int threads;

    Answerer(LanguageModel model, Sampling sampling, int threads) {
      this.model = model;
      this.sampling = sampling;
      this.threads = Math.max(1, threads);
    }

    private GenerationResult chat(String user, long seed) {
      ChatPrompt prompt = new ChatPrompt("", user, "");
      return model.chat(prompt.messages(), prompt.assistantPrefix(), params(seed), sampling.getMaxNewTokens(),
          sampling.getStopList(), null);
    }

    Figures direct(String name, List<Task> tasks, MethodSetup method, String adapter) throws Exception {
      AtomicLong tokens = new AtomicLong();
      AtomicInteger calls = new AtomicInteger();
      return measure(name, tasks, method, (i, task) -> {
        ChatPrompt prompt = method.prompts().respond(task.query());
        calls.incrementAndGet();
        GenerationResult r = model.chat(prompt.messages(), prompt.assistantPrefix(), params(1000L + i),
            sampling.getMaxNewTokens(), sampling.getStopList(), adapter);
        tokens.addAndGet(r.completionTokens());
        return r.text();
      }, tokens, calls);
    }

    Figures agentWrite(String name, List<Task> tasks, MethodSetup method) throws Exception {
      AtomicLong tokens = new AtomicLong();
      AtomicInteger calls = new AtomicInteger();
      AgentWritePrompts prompts = AgentWritePrompts.of(method.profile());
      AgentWriter writer = new AgentWriter(prompts);
      return measure(name, tasks, method, (i, task) -> {
        calls.incrementAndGet();
        GenerationResult planned = chat(prompts.plan(task.query()), 2000L + i);
        tokens.addAndGet(planned.completionTokens());
        Plan plan = PlanParser.parse(planned.text());
        if (!AgentWriter.writable(plan)) {
          return "";
        }
        return writer.continueWriting(task.query(), plan, List.of(), (step, prompt) -> {
          calls.incrementAndGet();
          GenerationResult r = chat(prompt, 3000L + 100L * i + step);
          tokens.addAndGet(r.completionTokens());
          return r.text();
        }, (step, paragraph) -> { }, () -> false).text();
      }, tokens, calls);
    }

    private SamplingParams params(long seed) {
      return new SamplingParams(sampling.getTemperature(), sampling.getTopK(), sampling.getTopP(),
          sampling.getRepetitionPenalty(), seed);
    }

    interface Work {
      String answer(int index, Task task) throws Exception;
    }

    private Figures measure(String name, List<Task> tasks, MethodSetup method, Work work, AtomicLong tokens,
        AtomicInteger calls) throws Exception {
      long start = System.nanoTime();
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      try {
        List<Future<String>> futures = new ArrayList<>();
        for (int i = 0; i < tasks.size(); i++) {
          int index = i;
          futures.add(pool.submit(() -> work.answer(index, tasks.get(index))));
        }
        double words = 0;
        double score = 0;
        for (int i = 0; i < tasks.size(); i++) {
          String text = futures.get(i).get();
          int w = method.profile().countWords(text);
          words += w;
          score += LengthWindow.of(ConstraintType.ABOUT, tasks.get(i).target() + " words").score(w);
        }
        int n = Math.max(1, tasks.size());
        return new Figures(name, tasks.size(), words / n, score / n, (System.nanoTime() - start) / 1e9,
            tokens.get(), calls.get());
      } finally {
        pool.shutdownNow();
      }
    }
  }
}
