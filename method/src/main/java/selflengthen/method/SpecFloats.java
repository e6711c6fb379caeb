package selflengthen.method;

/**
 * Spec fields are proto floats: 0.2f widened to a double is 0.20000000298..., which would move the
 * reference's thresholds ({@code random.random() < 0.2}) by a few parts in 10^9 and change
 * decisions for draws in between. The decimal the user wrote is what the reference's literal is.
 */
public final class SpecFloats {
  private SpecFloats() {}

  /** The shortest decimal that reads back as {@code f}, as a double (0.2f -> 0.2). */
  public static double decimal(float f) {
    return Double.parseDouble(Float.toString(f));
  }
}
