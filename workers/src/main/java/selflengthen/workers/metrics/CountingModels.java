package selflengthen.workers.metrics;

import java.util.List;
import selflengthen.activities.models.ModelProvider;
import selflengthen.model.api.ChatMessage;
import selflengthen.model.api.ChatTemplate;
import selflengthen.model.api.GenerationRequest;
import selflengthen.model.api.GenerationResult;
import selflengthen.model.api.LanguageModel;
import selflengthen.model.api.SamplingParams;
import selflengthen.model.api.TextListener;
import selflengthen.v1.ModelRef;

/**
 * The worker's models, each generation adding its completion tokens to {@link
 * WorkerMetrics#tokensGenerated}: the one place every activity's generation passes, in-process
 * engine or HTTP endpoint alike, so the counter needs no call in activity code.
 */
public final class CountingModels implements ModelProvider, AutoCloseable {
  private final ModelProvider models;
  private final WorkerMetrics metrics;

  public CountingModels(ModelProvider models, WorkerMetrics metrics) {
    this.models = models;
    this.metrics = metrics;
  }

  @Override
  public LanguageModel model(ModelRef ref, int maxBatchSize) {
    return new Counting(models.model(ref, maxBatchSize), metrics);
  }

  @Override
  public void check(String field, ModelRef ref) {
    models.check(field, ref);
  }

  @Override
  public void close() throws Exception {
    if (models instanceof AutoCloseable closeable) {
      closeable.close();
    }
  }

  /** Delegates every call (the model's own chat and streaming included) and counts the result. */
  private record Counting(LanguageModel model, WorkerMetrics metrics) implements LanguageModel {
    private GenerationResult counted(GenerationResult r) {
      metrics.tokensGenerated(Math.max(0, r.completionTokens()));
      return r;
    }

    @Override
    public GenerationResult generate(GenerationRequest request) {
      return counted(model.generate(request));
    }

    @Override
    public GenerationResult generate(GenerationRequest request, TextListener listener) {
      return counted(model.generate(request, listener));
    }

    @Override
    public GenerationResult chat(List<ChatMessage> messages, String forcedPrefix, SamplingParams sampling,
        int maxNewTokens, List<String> stopStrings, String adapter) {
      return counted(model.chat(messages, forcedPrefix, sampling, maxNewTokens, stopStrings, adapter));
    }

    @Override
    public ChatTemplate chatTemplate() {
      return model.chatTemplate();
    }

    @Override
    public String name() {
      return model.name();
    }

    @Override
    public void close() {
      // Shared by every slot: the pool closes its models, callers never do.
    }
  }
}
