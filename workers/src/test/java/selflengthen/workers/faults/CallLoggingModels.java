package selflengthen.workers.faults;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import selflengthen.activities.models.ModelProvider;
import selflengthen.activities.testing.ScriptedModels;
import selflengthen.model.api.ChatTemplate;
import selflengthen.model.api.GenerationRequest;
import selflengthen.model.api.GenerationResult;
import selflengthen.model.api.LanguageModel;
import selflengthen.v1.ModelRef;

/**
 * The scripted model of the worker tests, served to worker processes, with two test knobs: every
 * generation call is written to a per-process call log (the shard's call id, taken from the name of
 * the shard's unit thread, and the request's seed) before it runs, and calls of one stage can be
 * slowed down so that a test has time to kill a worker in the middle of a shard.
 *
 * <p>The log line is written with one {@code write} before the call: a process killed with
 * SIGKILL leaves every line it wrote (the kernel has them), so "calls started by the dead worker"
 * is exact.
 */
final class CallLoggingModels implements ModelProvider {
  static final String LOG = "faults.callLog";
  static final String SLOW_STAGE = "faults.slowStage";
  static final String SLOW_MILLIS = "faults.slowMillis";

  private final ScriptedModels scripted = new ScriptedModels();
  private final FileOutputStream log;
  private final String slowStage;
  private final long slowMillis;

  CallLoggingModels(Path log, String slowStage, long slowMillis) {
    try {
      this.log = new FileOutputStream(log.toFile(), true);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    this.slowStage = slowStage;
    this.slowMillis = slowMillis;
  }

  /** From the worker process's system properties. */
  static CallLoggingModels fromSystemProperties() {
    return new CallLoggingModels(
        Path.of(System.getProperty(LOG)),
        System.getProperty(SLOW_STAGE, ""),
        Long.getLong(SLOW_MILLIS, 0));
  }

  @Override
  public LanguageModel model(ModelRef ref, int maxBatchSize) {
    LanguageModel model = scripted.model(ref, maxBatchSize);
    return new LanguageModel() {
      @Override
      public GenerationResult generate(GenerationRequest request) {
        String callId = callId();
        write(callId + "\t" + request.sampling().seed() + "\n");
        if (!slowStage.isEmpty() && callId.contains("/" + slowStage + "/")) {
          try {
            Thread.sleep(slowMillis);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.util.concurrent.CancellationException("interrupted");
          }
        }
        return model.generate(request);
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
      public void close() {}
    };
  }

  @Override
  public void check(String field, ModelRef ref) {
    scripted.check(field, ref);
  }

  /** Shard units run on threads named {@code <call id>#<n>}. */
  private static String callId() {
    String name = Thread.currentThread().getName();
    int hash = name.lastIndexOf('#');
    return hash < 0 ? name : name.substring(0, hash);
  }

  private synchronized void write(String line) {
    try {
      log.write(line.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** One logged call. */
  record Call(String callId, long seed) {}

  /** The calls a log holds (every whole line). */
  static List<Call> read(Path log) {
    List<Call> calls = new ArrayList<>();
    if (!Files.exists(log)) {
      return calls;
    }
    try {
      for (String line : Files.readAllLines(log)) {
        String[] f = line.split("\t");
        if (f.length == 2) {
          calls.add(new Call(f[0], Long.parseLong(f[1])));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return calls;
  }
}
