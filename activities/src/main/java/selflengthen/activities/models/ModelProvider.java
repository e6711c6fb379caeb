package selflengthen.activities.models;

import selflengthen.model.api.LanguageModel;
import selflengthen.v1.ModelRef;

/**
 * Where activities get their language models. The production provider is {@link ModelPool}; tests
 * pass a scripted double. Models are shared by every activity slot of the process: callers never
 * close them, and pass the adapter per request.
 */
public interface ModelProvider {

  /**
   * The base model a role's {@link ModelRef} names (its {@code path} or {@code endpoint}; its
   * {@code adapter} is the caller's business).
   *
   * @param maxBatchSize the spec's {@code models.max_batch_size}, for an engine loaded now
   * @throws io.temporal.failure.ApplicationFailure BAD_INPUT when the model cannot be served
   */
  LanguageModel model(ModelRef ref, int maxBatchSize);

  /**
   * Checks, without loading weights, that {@link #model} could serve the ref; prepareRun calls it
   * for every role so a bad model fails the run before any work.
   *
   * @throws io.temporal.failure.ApplicationFailure BAD_INPUT naming {@code field} and the problem
   */
  void check(String field, ModelRef ref);
}
