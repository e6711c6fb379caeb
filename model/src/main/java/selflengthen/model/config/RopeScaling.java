package selflengthen.model.config;

/**
 * rope_scaling of a Hugging Face config. type "default" (none), "linear" (positions divided by
 * factor) or "llama3" (Llama 3.1 frequency-dependent scaling).
 */
public record RopeScaling(
    String type,
    double factor,
    double lowFreqFactor,
    double highFreqFactor,
    int originalMaxPositionEmbeddings) {

  public static RopeScaling none() {
    return new RopeScaling("default", 1, 1, 1, 0);
  }

  public boolean isDefault() {
    return "default".equals(type);
  }
}
