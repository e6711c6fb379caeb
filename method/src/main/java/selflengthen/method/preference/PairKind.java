package selflengthen.method.preference;

/** Where a preference pair comes from; {@link #label()} is the name written into the pair rows. */
public enum PairKind {
  /** The accepted extended response over the response the extension started from. */
  EXTENSION("extension"),
  /** The accepted extended response over a candidate the response check refused. */
  CHECK_REJECTED("check_rejected"),
  /** The accepted extended response over a shorter micro-iteration result of the same attempt. */
  SHORTER_STEP("shorter_step"),
  /** A response under its own instruction over the same response under a corrupted instruction. */
  CORRUPTED_INSTRUCTION("corrupted_instruction");

  private final String label;

  PairKind(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }

  public static PairKind byLabel(String label) {
    for (PairKind k : values()) {
      if (k.label.equals(label)) {
        return k;
      }
    }
    throw new IllegalArgumentException("unknown preference pair kind '" + label + "'");
  }
}
