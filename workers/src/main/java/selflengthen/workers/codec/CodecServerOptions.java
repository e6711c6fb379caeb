package selflengthen.workers.codec;

import java.util.List;
import java.util.Set;
import selflengthen.model.openai.ApiKey;

/**
 * What a codec server accepts besides its key.
 *
 * @param allowedOrigins browser origins (scheme://host:port) allowed to call it, the Web UI's; "*"
 *     allows any
 * @param token bearer token every encode/decode request must carry; null = none (loopback use)
 * @param namespaces namespaces served (by X-Namespace or the path segment before encode/decode);
 *     empty = any
 * @param maxBodyBytes larger request bodies are refused
 */
public record CodecServerOptions(
    List<String> allowedOrigins, ApiKey token, Set<String> namespaces, long maxBodyBytes) {
  public static final long DEFAULT_MAX_BODY_BYTES = 64L << 20;

  public CodecServerOptions {
    allowedOrigins = List.copyOf(allowedOrigins);
    namespaces = Set.copyOf(namespaces);
    if (maxBodyBytes < 1) {
      throw new IllegalArgumentException("the body limit must be positive");
    }
    for (String origin : allowedOrigins) {
      if (!origin.equals("*") && !origin.matches("https?://[^/\\s]+")) {
        throw new IllegalArgumentException("--allow-origin " + origin
            + " is not an origin: scheme://host[:port], no path (e.g. http://127.0.0.1:8080)");
      }
    }
  }

  public boolean allows(String origin) {
    return allowedOrigins.contains("*") || allowedOrigins.contains(origin);
  }
}
