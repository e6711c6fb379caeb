package selflengthen.model.api;

/** Why generation ended: an end-of-sequence token or stop string, or the token budget. */
public enum FinishReason {
  STOP,
  LENGTH
}
