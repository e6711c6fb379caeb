package selflengthen.workers.cli;

import picocli.CommandLine.Command;

/** Groups the model-management commands ("model init", ...); listed only once it has some. */
@Command(
    name = "model",
    mixinStandardHelpOptions = true,
    description = "Model checkpoints.",
    subcommands = {ModelInitCommand.class})
public final class ModelCommand {}
