package selflengthen.activities.control;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Stream;
import selflengthen.activities.models.RoleModels;
import selflengthen.activities.rows.LengthPlanRow;
import selflengthen.activities.support.DataRoots;
import selflengthen.activities.support.Datasets;
import selflengthen.activities.support.Lengths;
import selflengthen.activities.support.Lineages;
import selflengthen.activities.support.MethodSetup;
import selflengthen.activities.support.RecordedResults;
import selflengthen.method.LanguageProfile;
import selflengthen.method.LengthControl;
import selflengthen.method.LengthRewrite;
import selflengthen.method.PromptSet;
import selflengthen.spec.SeedLanguage;
import selflengthen.method.ShardSeeds;
import selflengthen.method.SftRows;
import selflengthen.model.api.SftExample;
import selflengthen.store.DataStore;
import selflengthen.store.InputRef;
import selflengthen.v1.DatasetRef;
import selflengthen.v1.LengthControlResult;
import selflengthen.v1.LengthControlTask;
import selflengthen.v1.RunSpec;
import selflengthen.v1.StageResult;

/**
 * lengthControl: the rows of long.jsonl whose response is in the length window, each query
 * rewritten with a length constraint the response meets (type and rounding drawn with the task's
 * seed in row order), as an LLaMA-Factory SFT set with its dataset_info.json ("length_control").
 */
final class LengthControlStage {
  static final String DATASET_NAME = "length_control";

  private final DataRoots roots;

  LengthControlStage(DataRoots roots) {
    this.roots = roots;
  }

  LengthControlResult run(LengthControlTask task) {
    RunSpec spec = task.getContext().getSpec();
    DataStore store = roots.store(spec);
    String recordedAt = task.getPlanOutputPath().isEmpty() ? task.getOutputPath() : task.getPlanOutputPath();
    var done = RecordedResults.completed(store, recordedAt, LengthControlResult.getDefaultInstance());
    if (done.isPresent()) {
      return done.get();
    }
    if (task.hasRewritten()) {
      return fromRewrite(store, task);
    }
    MethodSetup method = MethodSetup.of(spec);
    LengthControl control =
        new LengthControl(method.prompts(), LengthControl.Settings.of(spec.getLengthControl()));
    SplittableRandom random = ShardSeeds.random(task.getSeed());
    boolean plan = !task.getPlanOutputPath().isEmpty();
    float numeralShare = spec.getLengthControl().hasShareChineseNumerals()
        ? spec.getLengthControl().getShareChineseNumerals() : 0.5f;
    String path = task.getLongSet().getPath();
    Datasets.require(store, path);
    List<SftExample> rows = new ArrayList<>();
    List<LengthPlanRow> planRows = new ArrayList<>();
    List<Integer> words = new ArrayList<>();
    Map<String, Long> perType = new TreeMap<>();
    long in = 0;
    try (Stream<JsonNode> long_ = store.streamJsonl(path, JsonNode.class)) {
      for (JsonNode row : (Iterable<JsonNode>) long_::iterator) {
        String query = Datasets.text(row, "query", path, in);
        String response = Datasets.text(row, "response", path, in);
        long index = in;
        in++;
        Optional<LengthControl.Constrained> c = control.apply(query, response, random);
        if (c.isEmpty()) {
          continue;
        }
        if (plan) {
          // The reference detects each row's language; the Chinese-numeral draw uses its own
          // random per row, so the constraint draws stay those of the sentence form.
          LanguageProfile language = LanguageProfile.of(SeedLanguage.of(List.of(response)));
          boolean numerals = language == LanguageProfile.ZH
              && ShardSeeds.random(ShardSeeds.child(task.getSeed(), "numerals", index)).nextDouble() < numeralShare;
          LengthRewrite.Limit limit = LengthRewrite.limit(c.get().constraint(), language, numerals);
          String fallback = language == method.profile()
              ? c.get().constrainedQuery()
              : PromptSet.defaults(language).lengthConstrained(query, c.get().constraint());
          planRows.add(new LengthPlanRow(planRows.size(), query, response, c.get().words(),
              c.get().constraint().type().label(), language.code(), limit.phrase(), limit.numbers(), fallback));
        } else {
          rows.add(new SftExample(c.get().constrainedQuery(), "", response));
        }
        words.add(c.get().words());
        perType.merge(c.get().constraint().type().label(), 1L, Long::sum);
      }
    }
    if (plan) {
      DatasetRef output = store.writeJsonl(task.getPlanOutputPath(), planRows);
      LengthControlResult result = result(task, output, in, words, perType, 0, 0);
      RecordedResults.record(store, output, Lineages.of(task.getContext(), List.of(InputRef.of(task.getLongSet()))), result);
      return result;
    }
    DatasetRef output = writeSet(store, task, rows);
    LengthControlResult result = result(task, output, in, words, perType, 0, output.getCount());
    RecordedResults.record(store, output, Lineages.of(task.getContext(), List.of(InputRef.of(task.getLongSet()))), result);
    return result;
  }

  /** The SFT set from the rewrite stage's rows, counting rewrites and fallbacks. */
  private LengthControlResult fromRewrite(DataStore store, LengthControlTask task) {
    String path = task.getRewritten().getPath();
    Datasets.require(store, path);
    List<SftExample> rows = new ArrayList<>();
    List<Integer> words = new ArrayList<>();
    Map<String, Long> perType = new TreeMap<>();
    long rewritten = 0;
    long fallback = 0;
    try (Stream<JsonNode> in = store.streamJsonl(path, JsonNode.class)) {
      for (JsonNode r : (Iterable<JsonNode>) in::iterator) {
        rows.add(new SftExample(r.path("instruction").asText(), "", r.path("response").asText()));
        words.add(r.path("words").asInt());
        perType.merge(r.path("type").asText(), 1L, Long::sum);
        if (r.path("rewritten").asBoolean()) {
          rewritten++;
        } else {
          fallback++;
        }
      }
    }
    DatasetRef output = writeSet(store, task, rows);
    LengthControlResult result =
        result(task, output, task.getRewritten().getCount(), words, perType, rewritten, fallback).toBuilder()
            .setModel(RoleModels.ref(task.getContext().getSpec(), "length_control").getEndpoint().isEmpty()
                ? RoleModels.ref(task.getContext().getSpec(), "length_control").getPath()
                : RoleModels.ref(task.getContext().getSpec(), "length_control").getModelName())
            .build();
    RecordedResults.record(store, output, Lineages.of(task.getContext(), List.of(InputRef.of(task.getRewritten()))), result);
    return result;
  }

  private static DatasetRef writeSet(DataStore store, LengthControlTask task, List<SftExample> rows) {
    DatasetRef output = TrainingSetsStage.write(store, task.getOutputPath(), rows);
    Path info = store.resolve(task.getDatasetInfoPath());
    try {
      SftRows.putDatasetInfo(info, DATASET_NAME, TrainingSetsStage.relativeTo(info, store.resolve(output.getPath())));
    } catch (IOException e) {
      throw new IllegalStateException("cannot write " + task.getDatasetInfoPath() + ": " + e.getMessage(), e);
    }
    store.record(task.getDatasetInfoPath(), 1, Lineages.of(task.getContext(), List.of(InputRef.of(output))));
    return output;
  }

  private static LengthControlResult result(LengthControlTask task, DatasetRef output, long in, List<Integer> words,
      Map<String, Long> perType, long rewritten, long fallback) {
    return LengthControlResult.newBuilder()
        .setStage(
            StageResult.newBuilder()
                .setName(task.getContext().getStage())
                .setOutput(output)
                .setSamplesIn(in)
                .setSamplesOut(output.getCount())
                .setLengths(Lengths.of(words)))
        .putAllPerType(perType)
        .setRewritten(rewritten)
        .setFallback(fallback)
        .build();
  }
}
