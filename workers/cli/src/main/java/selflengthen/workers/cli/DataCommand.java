package selflengthen.workers.cli;

import picocli.CommandLine.Command;

/**
 * Groups the standalone data tools: the method's rules run on a user's own JSONL files, with the
 * same code the run's stages use.
 */
@Command(
    name = "data",
    mixinStandardHelpOptions = true,
    description = "The method's data rules on your own JSONL files (check, count-words, drop-short, length-control).",
    subcommands = {
      DataCheckCommand.class,
      DataCountWordsCommand.class,
      DataDropShortCommand.class,
      DataLengthControlCommand.class
    })
public final class DataCommand {}
