package selflengthen.model.external;

import java.time.Duration;
import java.util.Map;

/**
 * How to run an external trainer.
 *
 * <p>{@code command} is a command line template, split at white space (quotes group words), with
 * placeholders {@code {config}} (the YAML written for the job; appended when absent), {@code
 * {output_dir}} and {@code {dataset_dir}}; e.g. {@code llamafactory-cli train {config}}. {@code
 * template} is the LLaMA-Factory chat template name of the base model (e.g. {@code qwen}); null
 * leaves it out of the YAML, and LLaMA-Factory then parses the chat template of the checkpoint's
 * tokenizer, the one the in-process engine uses (it can also be given on the command line: {@code
 * llamafactory-cli train {config} template=qwen}). {@code environment} is added to the child's
 * environment (e.g. CUDA_VISIBLE_DEVICES). {@code extraArguments} are written into the YAML last,
 * overriding what this project writes (e.g. {@code deepspeed}, {@code flash_attn}). {@code
 * killGrace} is how long a cancelled child gets between SIGTERM and SIGKILL.
 */
public record ExternalTrainerConfig(
    String command,
    String template,
    Precision precision,
    Map<String, String> environment,
    Map<String, Object> extraArguments,
    int logTailLines,
    Duration killGrace) {

  /** Training precision flags written to the YAML. */
  public enum Precision {
    BF16,
    FP16,
    FP32
  }

  public ExternalTrainerConfig {
    if (command == null || command.isBlank()) {
      throw new IllegalArgumentException("the external trainer command is empty");
    }
    template = template == null || template.isBlank() ? null : template.strip();
    precision = precision == null ? Precision.BF16 : precision;
    environment = environment == null ? Map.of() : Map.copyOf(environment);
    extraArguments = extraArguments == null ? Map.of() : Map.copyOf(extraArguments);
    logTailLines = logTailLines <= 0 ? 30 : logTailLines;
    killGrace = killGrace == null ? Duration.ofSeconds(10) : killGrace;
  }

  /** bf16, no extra environment or arguments, 30 log lines in failure messages, 10 s kill grace. */
  /** The command alone (the run spec's Training.external_command): no template name. */
  public static ExternalTrainerConfig of(String command) {
    return of(command, null);
  }

  public static ExternalTrainerConfig of(String command, String template) {
    return new ExternalTrainerConfig(
        command, template, Precision.BF16, Map.of(), Map.of(), 30, Duration.ofSeconds(10));
  }

  public ExternalTrainerConfig withPrecision(Precision value) {
    return new ExternalTrainerConfig(
        command, template, value, environment, extraArguments, logTailLines, killGrace);
  }

  public ExternalTrainerConfig withEnvironment(Map<String, String> value) {
    return new ExternalTrainerConfig(
        command, template, precision, value, extraArguments, logTailLines, killGrace);
  }

  public ExternalTrainerConfig withExtraArguments(Map<String, Object> value) {
    return new ExternalTrainerConfig(
        command, template, precision, environment, value, logTailLines, killGrace);
  }
}
