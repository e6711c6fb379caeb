package selflengthen.method.agentwrite;

import java.util.Objects;

/**
 * One paragraph of an AgentWrite plan: its number in the plan (1-based, as parsed; renumbered in
 * order when the plan had none), what it covers, its word budget (0 when the plan gave none) and
 * the plan line as the model wrote it, which is what the write prompt names as the step.
 */
public record PlanStep(int index, String mainPoint, int words, String line) {
  public PlanStep {
    Objects.requireNonNull(mainPoint, "mainPoint");
    Objects.requireNonNull(line, "line");
    if (words < 0) {
      throw new IllegalArgumentException("a word budget cannot be negative: " + words);
    }
  }
}
