package selflengthen.workers.cli;

import picocli.CommandLine.Command;

/** Groups the benchmarks ("bench model", ...); listed only once it has some. */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = "Benchmarks.",
    subcommands = {BenchModelCommand.class, BenchOrchestrationCommand.class, BenchPreferenceCommand.class})
public final class BenchCommand {}
