package selflengthen.method.agentwrite;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * AgentWrite's write loop, resumable: given the paragraphs already written (committed by an
 * earlier, interrupted run), it writes the plan's remaining steps in order, each from the
 * instruction, the plan and the text so far, and hands every new paragraph to a {@link Sink}
 * before writing the next, so a retry continues after the last committed one.
 *
 * <p>As in the paper's pipeline, an empty answer ends the text early (the result is then not
 * complete), and a plan of more than {@link #MAX_STEPS} steps is refused.
 */
public final class AgentWriter {
  /** The reference's limit on plan steps. */
  public static final int MAX_STEPS = 50;

  /** One model call: the answer to {@code prompt} for plan step {@code step} (0-based). */
  @FunctionalInterface
  public interface Model {
    String write(int step, String prompt);
  }

  /** Receives each new paragraph (0-based step) before the next is written. */
  @FunctionalInterface
  public interface Sink {
    void committed(int step, String paragraph);
  }

  /** The paragraphs written (old and new), whether every step has one, and the whole text. */
  public record Result(List<String> paragraphs, boolean complete, int calls) {
    public Result {
      paragraphs = List.copyOf(paragraphs);
    }

    /** The paragraphs joined by blank lines. */
    public String text() {
      return String.join("\n\n", paragraphs);
    }
  }

  private final AgentWritePrompts prompts;

  public AgentWriter(AgentWritePrompts prompts) {
    this.prompts = Objects.requireNonNull(prompts, "prompts");
  }

  /** Whether {@code plan} can be written: 1 to {@link #MAX_STEPS} steps. */
  public static boolean writable(Plan plan) {
    return !plan.isEmpty() && plan.steps().size() <= MAX_STEPS;
  }

  /**
   * Writes the steps of {@code plan} after the {@code written} ones; stops early (not complete)
   * when {@code stopped} says so or the model answers with nothing.
   *
   * @throws IllegalArgumentException if the plan is empty or too long, or more paragraphs are
   *     written than the plan has steps
   */
  public Result continueWriting(String instruction, Plan plan, List<String> written, Model model,
      Sink sink, BooleanSupplier stopped) {
    if (!writable(plan)) {
      throw new IllegalArgumentException("an AgentWrite plan needs 1 to " + MAX_STEPS
          + " steps, got " + plan.steps().size());
    }
    if (written.size() > plan.steps().size()) {
      throw new IllegalArgumentException(written.size() + " paragraphs written for a plan of "
          + plan.steps().size() + " steps");
    }
    List<String> paragraphs = new ArrayList<>(written);
    int calls = 0;
    for (int i = paragraphs.size(); i < plan.steps().size(); i++) {
      if (stopped.getAsBoolean()) {
        return new Result(paragraphs, false, calls);
      }
      String prompt = prompts.write(instruction, plan, String.join("\n\n", paragraphs),
          plan.steps().get(i));
      String answer = model.write(i, prompt);
      calls++;
      if (answer == null || answer.isBlank()) {
        return new Result(paragraphs, false, calls);
      }
      String paragraph = answer.strip();
      sink.committed(i, paragraph);
      paragraphs.add(paragraph);
    }
    return new Result(paragraphs, true, calls);
  }
}
