package selflengthen.eval;

import java.nio.file.Path;

/**
 * A benchmark or responses file that cannot be scored as it is. The message names the file, the
 * line and the field, so that the user can fix the row without reading code.
 */
public final class EvalInputException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public EvalInputException(String message) {
    super(message);
  }

  public EvalInputException(String message, Throwable cause) {
    super(message, cause);
  }

  static EvalInputException atField(Path file, long line, String field, String problem) {
    return new EvalInputException(file + " line " + line + ": field '" + field + "' " + problem);
  }

  static EvalInputException atLine(Path file, long line, String problem, Throwable cause) {
    return new EvalInputException(file + " line " + line + ": " + problem, cause);
  }
}
