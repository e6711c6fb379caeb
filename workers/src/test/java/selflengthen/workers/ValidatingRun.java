package selflengthen.workers;

import io.temporal.failure.ApplicationFailure;
import selflengthen.spec.SpecValidationException;
import selflengthen.spec.SpecValidator;
import selflengthen.v1.ParallelismUpdate;
import selflengthen.v1.RoundProgress;
import selflengthen.v1.RoundResult;
import selflengthen.v1.RunResult;
import selflengthen.v1.RunSpec;
import selflengthen.v1.RunState;
import selflengthen.v1.RunStatus;
import selflengthen.workflows.SelfLengthenRun;

/**
 * Test double of the run workflow: validates its spec (the structural checks, deterministic) and
 * returns at once, one empty round result per resolved round, so a test sees what was decoded.
 */
public class ValidatingRun implements SelfLengthenRun {
  @Override
  public RunResult run(RunSpec spec, RunState state) {
    RunSpec resolved;
    try {
      resolved = SpecValidator.validateStructure(spec);
    } catch (SpecValidationException e) {
      throw ApplicationFailure.newNonRetryableFailure(e.getMessage(), "SpecValidation");
    }
    RunResult.Builder result = RunResult.newBuilder().setRunId(resolved.getRunId());
    for (int k = 1; k <= resolved.getRounds(); k++) {
      result.addRounds(RoundResult.newBuilder().setRound(k)
          .setInstructionsMade(resolved.getSelfInstruct().getInstructionsPerRound()));
    }
    return result.build();
  }

  @Override
  public void pause() {}

  @Override
  public void unpause() {}

  @Override
  public int setParallelism(ParallelismUpdate update) {
    return update.getMaxConcurrentShards();
  }

  @Override
  public void validateParallelism(ParallelismUpdate update) {}

  @Override
  public RunStatus status() {
    return RunStatus.getDefaultInstance();
  }

  @Override
  public void roundProgress(RoundProgress progress) {}
}
