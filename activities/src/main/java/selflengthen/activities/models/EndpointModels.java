package selflengthen.activities.models;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import selflengthen.activities.support.ActivityErrors;
import selflengthen.model.config.Checkpoint;
import selflengthen.model.api.ChatTemplate;
import selflengthen.model.api.LanguageModel;
import selflengthen.model.openai.ApiKey;
import selflengthen.model.openai.OpenAiClientConfig;
import selflengthen.model.openai.OpenAiLanguageModel;
import selflengthen.v1.ModelRef;

/**
 * Roles served by an OpenAI-compatible endpoint (vLLM, SGLang, this project's {@code serve}): one
 * {@link OpenAiLanguageModel} per endpoint, model name and client settings, shared by every activity
 * slot of the worker, so {@code max_concurrency} bounds the whole worker's requests to it.
 *
 * <p>A ref's {@code path}, when set beside the endpoint, names the checkpoint the endpoint serves:
 * its chat template renders the Extender's forced-prefix prompts here, which then go out as raw
 * {@code /completions}. Without it a forced prefix travels as a final assistant message with
 * {@code continue_final_message} (vLLM and {@code serve} both honour it). Adapters go by request:
 * a trained adapter's directory is registered at the endpoint once through {@code
 * /v1/load_lora_adapter} and then named as the request's model (the endpoint must see the data
 * root at the same path: vLLM with {@code VLLM_ALLOW_RUNTIME_LORA_UPDATING=True}, {@code serve}
 * with {@code --allow-runtime-adapters}).
 */
final class EndpointModels implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EndpointModels.class);

  /** Everything that shapes a client; the key itself stays out (only where it comes from). */
  private record Key(
      String endpoint, String model, String keyEnv, String keyFile, int concurrency, int timeout, String template) {
    static Key of(ModelRef ref) {
      return new Key(ref.getEndpoint(), ref.getModelName(), ref.getApiKeyEnv(), ref.getApiKeyFile(),
          ref.hasMaxConcurrency() ? ref.getMaxConcurrency() : 16,
          ref.hasTimeoutSeconds() ? ref.getTimeoutSeconds() : 600, ref.getPath());
    }
  }

  private final ConcurrentMap<Key, OpenAiLanguageModel> clients = new ConcurrentHashMap<>();
  private final Function<String, String> environment;

  /** @param environment reads an environment variable (System::getenv in production) */
  EndpointModels(Function<String, String> environment) {
    this.environment = environment;
  }

  LanguageModel model(ModelRef ref) {
    return clients.computeIfAbsent(Key.of(ref), key -> {
      OpenAiClientConfig config = config("models", ref, true);
      log.info("endpoint model {}", config);
      return new OpenAiLanguageModel(config);
    });
  }

  /** Everything {@link #model} needs, checked without a network call. */
  void check(String field, ModelRef ref) {
    config(field, ref, false);
  }

  private OpenAiClientConfig config(String field, ModelRef ref, boolean loadTemplate) {
    if (ref.getModelName().isBlank()) {
      throw ActivityErrors.badInput(field + ".model_name: missing (required with an endpoint)");
    }
    OpenAiClientConfig config;
    try {
      config = OpenAiClientConfig.of(ref.getEndpoint(), ref.getModelName());
    } catch (IllegalArgumentException e) {
      throw ActivityErrors.badInput(field + ".endpoint: " + e.getMessage());
    }
    Key key = Key.of(ref);
    config = config
        .withApiKey(apiKey(field, ref))
        .withMaxConcurrency(Math.max(1, key.concurrency()))
        .withTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(Math.max(1, key.timeout())));
    ChatTemplate template = template(field, ref, loadTemplate);
    return template == null ? config : config.withChatTemplate(template);
  }

  private ApiKey apiKey(String field, ModelRef ref) {
    boolean env = !ref.getApiKeyEnv().isBlank();
    boolean file = !ref.getApiKeyFile().isBlank();
    if (env && file) {
      throw ActivityErrors.badInput(field + ".api_key_file: set only one of api_key_env and api_key_file");
    }
    try {
      if (env) {
        String value = environment.apply(ref.getApiKeyEnv());
        return ApiKey.fromEnvironment(ref.getApiKeyEnv(),
            value == null ? Map.of() : Map.of(ref.getApiKeyEnv(), value));
      }
      return file ? ApiKey.fromFile(Path.of(ref.getApiKeyFile())) : null;
    } catch (IllegalArgumentException e) {
      // The messages name the variable or file, never a key.
      throw ActivityErrors.badInput(field + (env ? ".api_key_env: " : ".api_key_file: ") + e.getMessage()
          + " on this worker");
    }
  }

  /** The served checkpoint's template (ref.path), read from its files only when asked to. */
  private static ChatTemplate template(String field, ModelRef ref, boolean load) {
    if (ref.getPath().isBlank()) {
      return null;
    }
    CheckpointFiles.problem(ref.getPath()).ifPresent(p -> {
      throw ActivityErrors.badInput(field + ".path (the endpoint's checkpoint, for its chat template): " + p);
    });
    try {
      Checkpoint checkpoint = Checkpoint.read(Path.of(ref.getPath()));
      return load ? checkpoint.chatTemplate() : null;
    } catch (IOException | UncheckedIOException | IllegalArgumentException e) {
      throw ActivityErrors.badInput(field + ".path: " + ref.getPath() + " does not read as a checkpoint: "
          + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    List<OpenAiLanguageModel> all = new ArrayList<>(clients.values());
    clients.clear();
    all.forEach(OpenAiLanguageModel::close);
  }
}
