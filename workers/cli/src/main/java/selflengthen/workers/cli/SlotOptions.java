package selflengthen.workers.cli;

import java.time.Duration;
import picocli.CommandLine.Option;

/** How many activities a worker process runs at once, and how long it lets them finish on shutdown. */
final class SlotOptions {
  @Option(names = "--slots", paramLabel = "N", defaultValue = "${env:SELFLENGTHEN_SLOTS:-2}",
      description = "Activities run at once on each queue (env SELFLENGTHEN_SLOTS; default ${DEFAULT-VALUE}).")
  int slots;

  @Option(names = "--grace-seconds", paramLabel = "S", defaultValue = "30",
      description = "On shutdown, how long running activities may finish (default ${DEFAULT-VALUE}).")
  int graceSeconds;

  /** The slot count, checked. */
  int slots() {
    if (slots < 1) {
      throw new CliException("--slots must be at least 1 (got " + slots + ")");
    }
    return slots;
  }

  /** The shutdown grace, checked. */
  Duration grace() {
    if (graceSeconds < 0) {
      throw new CliException("--grace-seconds must be 0 or more (got " + graceSeconds + ")");
    }
    return Duration.ofSeconds(graceSeconds);
  }
}
