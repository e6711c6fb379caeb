package selflengthen.method.agentwrite;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/** A test double of the model: answers each step from a script and records the prompts it got. */
final class ScriptedWriterModel implements AgentWriter.Model {
  final List<String> prompts = new ArrayList<>();
  final List<Integer> steps = new ArrayList<>();
  private final IntFunction<String> script;

  ScriptedWriterModel(IntFunction<String> script) {
    this.script = script;
  }

  @Override
  public String write(int step, String prompt) {
    steps.add(step);
    prompts.add(prompt);
    return script.apply(step);
  }
}
