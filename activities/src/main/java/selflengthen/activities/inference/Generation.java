package selflengthen.activities.inference;

import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;
import selflengthen.activities.models.RoleModels;
import selflengthen.method.ChatPrompt;
import selflengthen.model.api.GenerationResult;
import selflengthen.model.api.LanguageModel;
import selflengthen.model.api.SamplingParams;
import selflengthen.store.ModelVersion;
import selflengthen.v1.Sampling;

/**
 * One role's chat calls: its model and adapter with one sampling setup. Every call takes its own
 * seed, so a sample is reproducible whatever else the engine batches with it. Thread-safe.
 */
final class Generation {
  private final LanguageModel model;
  private final RoleModels.Resolved role;
  private final SamplingParams sampling;
  private final int maxNewTokens;
  private final List<String> stop;

  Generation(LanguageModel model, RoleModels.Resolved role, Sampling sampling, int maxNewTokens) {
    this.model = model;
    this.role = role;
    this.sampling =
        new SamplingParams(
            sampling.getTemperature(),
            sampling.getTopK(),
            sampling.getTopP(),
            sampling.getRepetitionPenalty(),
            0L);
    this.maxNewTokens = maxNewTokens;
    this.stop = List.copyOf(sampling.getStopList());
  }

  /** The same model and adapter with other sampling (e.g. the judge's short greedy answer). */
  Generation with(SamplingParams params, int tokens) {
    return new Generation(model, role, params, tokens, stop);
  }

  /** The same model and sampling with {@code extra} stop strings added to the configured ones. */
  Generation withExtraStops(List<String> extra) {
    List<String> all = new java.util.ArrayList<>(stop);
    for (String s : extra) {
      if (!all.contains(s)) {
        all.add(s);
      }
    }
    return new Generation(model, role, sampling, maxNewTokens, List.copyOf(all));
  }

  private Generation(
      LanguageModel model, RoleModels.Resolved role, SamplingParams sampling, int maxNewTokens, List<String> stop) {
    this.model = model;
    this.role = role;
    this.sampling = sampling;
    this.maxNewTokens = maxNewTokens;
    this.stop = stop;
  }

  /**
   * The model's answer to a chat prompt, continuing after the prompt's forced prefix (the returned
   * text does not repeat it).
   *
   * @throws CancellationException when {@code stopped} says the shard stops (checked first)
   */
  GenerationResult chat(ChatPrompt prompt, long seed, BooleanSupplier stopped) {
    if (stopped.getAsBoolean()) {
      throw new CancellationException("shard stopped");
    }
    return model.chat(
        prompt.messages(),
        prompt.assistantPrefix(),
        sampling.withSeed(seed),
        maxNewTokens,
        stop,
        role.adapter());
  }

  ModelVersion version() {
    return role.version();
  }
}
