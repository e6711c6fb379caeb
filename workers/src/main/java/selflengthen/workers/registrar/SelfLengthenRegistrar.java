package selflengthen.workers.registrar;

import io.temporal.worker.Worker;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import selflengthen.activities.control.ControlActivitiesImpl;
import selflengthen.activities.eval.EvalControlActivitiesImpl;
import selflengthen.activities.inference.EvalInferenceActivitiesImpl;
import selflengthen.activities.inference.InferenceActivitiesImpl;
import selflengthen.activities.models.ModelPool;
import selflengthen.activities.models.ModelProvider;
import selflengthen.activities.support.DataRoots;
import selflengthen.activities.train.TrainActivitiesImpl;
import selflengthen.activities.train.DpoActivitiesImpl;
import selflengthen.activities.preference.PreferenceActivitiesImpl;
import selflengthen.activities.inference.AgentWriteActivitiesImpl;
import selflengthen.model.api.Trainer;
import selflengthen.model.train.SftTrainer;
import selflengthen.workers.WorkerContext;
import selflengthen.workers.WorkerRegistrar;
import selflengthen.workers.metrics.CountingModels;
import selflengthen.workers.metrics.WorkerMetrics;
import selflengthen.workflows.TaskQueues;
import selflengthen.workflows.WorkflowImplementations;

/**
 * What the project's workers serve (what {@code selflengthen worker}, {@code dev} and {@code eval}
 * serve): on the control queue the run and round workflows and the control
 * activities, on the inference queue the shard activities, on the train queue training. One model
 * pool per process, shared by every slot and queue, closed when the workers stop; its generations
 * feed the tokens-generated metric.
 */
public final class SelfLengthenRegistrar implements WorkerRegistrar {
  private static final Logger log = LoggerFactory.getLogger(SelfLengthenRegistrar.class);

  private final Supplier<ModelProvider> modelsFactory;
  private final Supplier<Trainer> trainer;
  private ModelProvider models;
  private DataRoots roots;

  /** Production: the in-process engine pool and the in-process DJL trainer. */
  public SelfLengthenRegistrar() {
    this(ModelPool::new, SftTrainer::new);
  }

  /** With other models and trainer (tests pass scripted ones). */
  public SelfLengthenRegistrar(Supplier<ModelProvider> models, Supplier<Trainer> trainer) {
    this.modelsFactory = models;
    this.trainer = trainer;
  }

  @Override
  public synchronized void register(String queue, Worker worker, WorkerContext context) {
    if (models == null) {
      models = new CountingModels(modelsFactory.get(), WorkerMetrics.global());
      roots = new DataRoots(context.store());
    }
    switch (queue) {
      case TaskQueues.CONTROL -> {
        WorkflowImplementations.register(worker);
        worker.registerActivitiesImplementations(
            new ControlActivitiesImpl(roots, models), new EvalControlActivitiesImpl(roots, models),
            new PreferenceActivitiesImpl(roots));
      }
      case TaskQueues.INFERENCE ->
          worker.registerActivitiesImplementations(
              new InferenceActivitiesImpl(roots, models), new EvalInferenceActivitiesImpl(roots, models),
              new AgentWriteActivitiesImpl(roots, models));
      case TaskQueues.TRAIN ->
          worker.registerActivitiesImplementations(
              new TrainActivitiesImpl(roots, trainer), new DpoActivitiesImpl(roots));
      default -> throw new IllegalArgumentException("unknown task queue '" + queue + "': expected one of "
          + String.join(", ", TaskQueues.ALL));
    }
  }

  @Override
  public synchronized void close() {
    if (models instanceof AutoCloseable closeable) {
      try {
        closeable.close();
      } catch (Exception e) {
        log.warn("closing the model pool: {}", e.toString());
      }
    }
    models = null;
  }
}
