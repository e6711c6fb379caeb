package selflengthen.workers.faults;

import selflengthen.activities.testing.ScriptedTrainer;
import selflengthen.workers.cli.Main;
import selflengthen.workers.registrar.SelfLengthenRegistrar;

/**
 * A worker process for the fault tests: the real {@code selflengthen} command line (worker, dev)
 * with the production registrar, whose model is the call-logging scripted model and whose trainer
 * is the scripted trainer.
 */
public final class FaultWorkerMain {
  private FaultWorkerMain() {}

  public static void main(String[] args) {
    System.exit(Main.commandLine(
        () -> new SelfLengthenRegistrar(CallLoggingModels::fromSystemProperties, ScriptedTrainer::new))
        .execute(args));
  }
}
