package selflengthen.spec;

/** One thing wrong with a run spec: the field's path in the spec (proto names) and what is wrong. */
public record SpecProblem(String field, String message) {
  @Override
  public String toString() {
    return field + ": " + message;
  }
}
