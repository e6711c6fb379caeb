package selflengthen.method.agentwrite;

import java.util.List;
import java.util.stream.Collectors;

/** A parsed AgentWrite plan: its paragraph steps in order. */
public record Plan(List<PlanStep> steps) {
  public Plan {
    steps = List.copyOf(steps);
  }

  /** The plan as the write prompt shows it: one step line a line. */
  public String text() {
    return steps.stream().map(PlanStep::line).collect(Collectors.joining("\n"));
  }

  /** The sum of the steps' word budgets (0 for steps without one). */
  public int totalWords() {
    return steps.stream().mapToInt(PlanStep::words).sum();
  }

  public boolean isEmpty() {
    return steps.isEmpty();
  }
}
