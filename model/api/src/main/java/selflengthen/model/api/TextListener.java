package selflengthen.model.api;

/**
 * Receives a request's generated text while it is produced. The pieces, concatenated, are exactly
 * {@link GenerationResult#text()}: text that could still turn out to be part of a stop string is
 * held back until it is known not to be. Called on the engine's thread: an implementation must
 * return quickly and never block (hand the piece to a queue).
 */
@FunctionalInterface
public interface TextListener {
  void onText(String piece);
}
