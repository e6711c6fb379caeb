package selflengthen.payload;

/** One thing wrong with a JSON message: the field's path in proto names and what is wrong. */
public record FieldProblem(String field, String message) {
  @Override
  public String toString() {
    return field + ": " + message;
  }
}
