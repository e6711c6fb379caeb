package selflengthen.workers.cli;

import java.time.Duration;
import selflengthen.workers.http.StoppableServer;

/**
 * Keeps a started server in the foreground until it is stopped, interrupted or the JVM shuts
 * down (Ctrl-C, SIGTERM); {@code cleanup} runs once the server has stopped, whichever way.
 */
final class Foreground {
  private Foreground() {}

  static void run(StoppableServer server, String name, Duration grace, Runnable cleanup) {
    Thread shutdown = new Thread(() -> {
      server.stop(grace);
      cleanup.run();
    }, name + "-shutdown");
    Runtime.getRuntime().addShutdownHook(shutdown);
    try {
      server.awaitStop();
    } catch (InterruptedException e) {
      server.stop(Duration.ZERO);
      Thread.currentThread().interrupt();
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(shutdown);
      } catch (IllegalStateException jvmShuttingDown) {
        // the hook is running and cleans up itself
      }
      cleanup.run();
    }
  }
}
