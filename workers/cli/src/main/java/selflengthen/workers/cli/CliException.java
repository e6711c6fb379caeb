package selflengthen.workers.cli;

/** An error whose message is already the one line to show the user. */
public class CliException extends RuntimeException {
  public CliException(String message) {
    super(message);
  }
}
