package selflengthen.workers.registrar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.temporal.testing.TestWorkflowEnvironment;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import selflengthen.activities.models.ModelProvider;
import selflengthen.activities.testing.ScriptedModel;
import selflengthen.model.api.LanguageModel;
import selflengthen.store.DataStore;
import selflengthen.v1.ModelRef;
import selflengthen.workers.WorkerContext;
import selflengthen.workers.WorkerHost;
import selflengthen.workers.WorkerRegistrar;
import selflengthen.workflows.TaskQueues;

/** The production registrar: one model pool for every queue, closed at the end. */
@Tag("integration")
class RegistrarTest {
  @TempDir Path tmp;

  @Test
  void everyQueueSharesOneModelProviderThatIsClosedWhenTheHostStops() {
    AtomicInteger made = new AtomicInteger();
    AtomicInteger closed = new AtomicInteger();
    class ClosingModels implements ModelProvider, AutoCloseable {
      @Override
      public LanguageModel model(ModelRef ref, int maxBatchSize) {
        return new ScriptedModel();
      }

      @Override
      public void check(String field, ModelRef ref) {}

      @Override
      public void close() {
        closed.incrementAndGet();
      }
    }
    SelfLengthenRegistrar registrar = new SelfLengthenRegistrar(() -> {
      made.incrementAndGet();
      return new ClosingModels();
    }, () -> {
      throw new AssertionError("no training here");
    });
    TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance();
    try {
      WorkerContext context =
          new WorkerContext(DataStore.open(tmp), 1, TaskQueues.ALL, "in-memory", "default", env.getWorkflowClient());
      WorkerHost host = WorkerHost.start(context, registrar, true);
      assertEquals(1, made.get(), "one pool for the three queues");
      host.shutdown(java.time.Duration.ofSeconds(5));
      assertEquals(1, closed.get(), "closed with the workers");
      assertThrows(IllegalArgumentException.class,
          () -> registrar.register("elsewhere", env.newWorker("elsewhere"), context));
    } finally {
      env.close();
    }
  }
}
