package selflengthen.activities;

/** The two trained roles of Self-Lengthen; the values of {@code role} in tasks and adapters. */
public final class Roles {
  public static final String GENERATOR = "generator";
  public static final String EXTENDER = "extender";

  private Roles() {}
}
