package selflengthen.activities.models;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import selflengthen.activities.support.ActivityErrors;
import selflengthen.model.config.Checkpoint;
import selflengthen.model.config.EngineOptions;
import selflengthen.model.Models;
import selflengthen.model.api.LanguageModel;
import selflengthen.v1.ModelRef;

/**
 * The engines of one worker process: one loaded base model per checkpoint directory and device,
 * shared by every activity slot (the engine batches their concurrent requests), adapters applied
 * per request; a ref with an {@code endpoint} gets an HTTP client instead (see {@link
 * EndpointModels}). The first request for a checkpoint loads it; concurrent requests wait for
 * that load. {@link #close} releases every engine (on worker shutdown).
 */
public final class ModelPool implements ModelProvider, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ModelPool.class);

  static {
    // Before DJL starts: without these it contacts the network when the engine loads.
    System.setProperty("ai.djl.offline", "true");
    if (System.getProperty("OPT_OUT_TRACKING") == null) {
      System.setProperty("OPT_OUT_TRACKING", "true");
    }
  }

  private record Key(Path dir, String device) {}

  private final ConcurrentMap<Key, CompletableFuture<LanguageModel>> models = new ConcurrentHashMap<>();
  private final EngineOptions base;
  private final EndpointModels endpoints;
  private volatile boolean closed;

  /** @param base engine options of every model; the device and batch size come from each request */
  public ModelPool(EngineOptions base) {
    this(base, System::getenv);
  }

  /** @param environment where endpoint API keys named by api_key_env are read */
  public ModelPool(EngineOptions base, Function<String, String> environment) {
    this.base = base;
    this.endpoints = new EndpointModels(environment);
  }

  public ModelPool() {
    this(EngineOptions.defaults());
  }

  @Override
  public LanguageModel model(ModelRef ref, int maxBatchSize) {
    if (closed) {
      throw new IllegalStateException("the model pool is closed (worker shutting down)");
    }
    if (!ref.getEndpoint().isEmpty()) {
      return endpoints.model(ref);
    }
    Key key = new Key(Path.of(ref.getPath()).toAbsolutePath().normalize(), device(ref));
    CompletableFuture<LanguageModel> mine = new CompletableFuture<>();
    CompletableFuture<LanguageModel> existing = models.putIfAbsent(key, mine);
    if (existing == null) {
      load(key, maxBatchSize, mine);
      existing = mine;
    }
    try {
      return existing.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while " + key.dir() + " loads", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException("cannot load " + key.dir(), e.getCause());
    }
  }

  private void load(Key key, int maxBatchSize, CompletableFuture<LanguageModel> into) {
    try {
      EngineOptions options =
          base.withDevice(key.device()).withMaxBatchSize(Math.max(1, maxBatchSize));
      log.info("loading {} on {} (batch {})", key.dir(), key.device(), options.maxBatchSize());
      into.complete(Models.open(key.dir(), options));
    } catch (UncheckedIOException | IllegalArgumentException e) {
      // A checkpoint that does not read is bad input; forget it so a fixed one loads next time.
      models.remove(key, into);
      into.completeExceptionally(
          ActivityErrors.badInput("cannot load model " + key.dir() + ": " + message(e), e));
    } catch (RuntimeException | Error e) {
      models.remove(key, into);
      into.completeExceptionally(e);
    }
  }

  @Override
  public void check(String field, ModelRef ref) {
    if (!ref.getEndpoint().isEmpty()) {
      endpoints.check(field, ref);
      return;
    }
    CheckpointFiles.problem(ref.getPath())
        .ifPresent(p -> {
          throw ActivityErrors.badInput(field + ".path: " + p);
        });
    try {
      Checkpoint.read(Path.of(ref.getPath()));
    } catch (IOException | UncheckedIOException | IllegalArgumentException e) {
      throw ActivityErrors.badInput(field + ".path: " + ref.getPath() + " does not read as a"
          + " checkpoint: " + message(e), e);
    }
  }

  /** Models loaded so far (for logs and tests). */
  public int loaded() {
    return (int) models.values().stream().filter(f -> f.isDone() && !f.isCompletedExceptionally()).count();
  }

  @Override
  public void close() {
    closed = true;
    endpoints.close();
    List<CompletableFuture<LanguageModel>> all = new ArrayList<>(models.values());
    models.clear();
    for (CompletableFuture<LanguageModel> f : all) {
      LanguageModel m = f.getNow(null);
      if (m != null) {
        try {
          m.close();
        } catch (RuntimeException e) {
          log.warn("closing {}: {}", m.name(), e.getMessage());
        }
      }
    }
  }

  private static String device(ModelRef ref) {
    return ref.getDevice().isBlank() ? "cpu" : ref.getDevice();
  }

  private static String message(Throwable e) {
    Throwable c = e instanceof UncheckedIOException && e.getCause() != null ? e.getCause() : e;
    return c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
  }
}
