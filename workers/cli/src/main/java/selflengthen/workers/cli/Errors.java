package selflengthen.workers.cli;

import io.grpc.StatusRuntimeException;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowUpdateException;
import io.temporal.failure.TemporalFailure;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/** Errors become one clear line on stderr and a non-zero exit; stack traces only with --verbose. */
public final class Errors {
  public static final int FAILED = 1;
  public static final int USAGE = 2;

  private Errors() {}

  public static IExecutionExceptionHandler executionHandler() {
    return (Exception ex, CommandLine cmd, ParseResult parsed) -> {
      PrintWriter err = cmd.getErr();
      if (verbose(parsed)) {
        ex.printStackTrace(err);
      }
      err.println("error: " + oneLine(ex));
      err.flush();
      return FAILED;
    };
  }

  public static IParameterExceptionHandler parameterHandler() {
    return (ParameterException ex, String[] args) -> {
      CommandLine cmd = ex.getCommandLine();
      cmd.getErr().println("error: " + flatten(ex.getMessage()) + " (see: "
          + cmd.getCommandSpec().qualifiedName() + " --help)");
      cmd.getErr().flush();
      return USAGE;
    };
  }

  private static boolean verbose(ParseResult parsed) {
    for (ParseResult p = parsed; p != null; p = p.subcommand()) {
      if (p.hasMatchedOption("--verbose")) {
        return true;
      }
    }
    return false;
  }

  /** What went wrong, in one line. */
  static String oneLine(Throwable e) {
    if (e instanceof WorkflowNotFoundException nf) {
      return "no run '" + nf.getExecution().getWorkflowId() + "' is running";
    }
    if (e instanceof WorkflowUpdateException) {
      return "update rejected: " + rootMessage(e);
    }
    if (e instanceof io.temporal.client.WorkflowException) {
      return rootMessage(e);
    }
    if (e instanceof StatusRuntimeException s) {
      return "Temporal answered " + s.getStatus().getCode()
          + (s.getStatus().getDescription() == null ? "" : ": " + flatten(s.getStatus().getDescription()));
    }
    String message = e.getMessage();
    if (message == null || message.isBlank()) {
      return e.getClass().getSimpleName() + (e.getCause() != null ? ": " + oneLine(e.getCause()) : "");
    }
    return flatten(message);
  }

  /** The innermost Temporal failure's own message (without the SDK's decorations), else the deepest message. */
  static String rootMessage(Throwable e) {
    String message = null;
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof TemporalFailure f && f.getOriginalMessage() != null && !f.getOriginalMessage().isBlank()) {
        message = f.getOriginalMessage();
      } else if (!(t instanceof TemporalFailure) && t.getMessage() != null && message == null) {
        message = t.getMessage();
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return flatten(message == null ? e.toString() : message);
  }

  static String flatten(String s) {
    return s == null ? "" : s.strip().replaceAll("\\s*\\R\\s*", " ");
  }
}
