package selflengthen.workers.serve;

import java.time.Duration;
import selflengthen.model.openai.ApiKey;

/**
 * Server settings. {@code apiKey} null means no authentication (the server binds loopback by
 * default). {@code maxConcurrentGenerations} is how many requests are handed to the engine at once
 * (it batches them); later ones wait. {@code defaultMaxTokens} applies when a request gives no
 * max_tokens. {@code allowRuntimeAdapters} enables vLLM's /v1/load_lora_adapter and
 * /v1/unload_lora_adapter. {@code streamKeepAlive} is the interval of SSE comments sent while a
 * streamed request is still generating, so proxies do not cut the connection.
 */
public record ServerOptions(
    ApiKey apiKey,
    int maxConcurrentGenerations,
    long maxBodyBytes,
    int defaultMaxTokens,
    boolean allowRuntimeAdapters,
    Duration streamKeepAlive) {

  public ServerOptions {
    if (maxConcurrentGenerations < 1 || maxBodyBytes < 1 || defaultMaxTokens < 1) {
      throw new IllegalArgumentException(
          "max concurrent generations, max body bytes and default max tokens must be positive");
    }
    streamKeepAlive = streamKeepAlive == null ? Duration.ofSeconds(15) : streamKeepAlive;
  }

  /**
   * No key, 16 concurrent generations, 32 MiB bodies, 4096 tokens by default, no runtime adapters.
   */
  public static ServerOptions defaults() {
    return new ServerOptions(null, 16, 32L << 20, 4096, false, Duration.ofSeconds(15));
  }

  public ServerOptions withApiKey(ApiKey key) {
    return new ServerOptions(
        key,
        maxConcurrentGenerations,
        maxBodyBytes,
        defaultMaxTokens,
        allowRuntimeAdapters,
        streamKeepAlive);
  }

  public ServerOptions withMaxConcurrentGenerations(int value) {
    return new ServerOptions(
        apiKey, value, maxBodyBytes, defaultMaxTokens, allowRuntimeAdapters, streamKeepAlive);
  }

  public ServerOptions withMaxBodyBytes(long value) {
    return new ServerOptions(
        apiKey,
        maxConcurrentGenerations,
        value,
        defaultMaxTokens,
        allowRuntimeAdapters,
        streamKeepAlive);
  }

  public ServerOptions withDefaultMaxTokens(int value) {
    return new ServerOptions(
        apiKey,
        maxConcurrentGenerations,
        maxBodyBytes,
        value,
        allowRuntimeAdapters,
        streamKeepAlive);
  }

  public ServerOptions withRuntimeAdapters(boolean allowed) {
    return new ServerOptions(
        apiKey, maxConcurrentGenerations, maxBodyBytes, defaultMaxTokens, allowed, streamKeepAlive);
  }

  public ServerOptions withStreamKeepAlive(Duration interval) {
    return new ServerOptions(
        apiKey,
        maxConcurrentGenerations,
        maxBodyBytes,
        defaultMaxTokens,
        allowRuntimeAdapters,
        interval);
  }
}
