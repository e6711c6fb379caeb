package selflengthen.workers.cli;

import picocli.CommandLine.Command;

/** Groups the model-management commands (init, convert, logits); listed only once it has some. */
@Command(
    name = "model",
    mixinStandardHelpOptions = true,
    description = "Model checkpoints.",
    subcommands = {ModelInitCommand.class, ModelConvertCommand.class, ModelLogitsCommand.class})
public final class ModelCommand {}
