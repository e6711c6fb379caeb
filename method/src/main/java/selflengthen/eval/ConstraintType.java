package selflengthen.eval;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** LonGen's four kinds of length constraint, named as in its {@code type} field. */
public enum ConstraintType {
  ABOUT,
  RANGE,
  ABOVE,
  BELOW;

  public String fieldValue() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** @throws IllegalArgumentException naming the accepted values */
  public static ConstraintType fromFieldValue(String value) {
    for (ConstraintType type : values()) {
      if (type.fieldValue().equals(value.strip().toLowerCase(Locale.ROOT))) {
        return type;
      }
    }
    throw new IllegalArgumentException(
        "must be one of "
            + Arrays.stream(values()).map(ConstraintType::fieldValue).collect(Collectors.joining(", "))
            + ", got \""
            + value
            + "\"");
  }
}
