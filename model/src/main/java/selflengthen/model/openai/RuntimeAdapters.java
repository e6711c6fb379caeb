package selflengthen.model.openai;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a request's adapter into a served model name. A relative value is a name the server already
 * serves. An absolute directory (an adapter this project just trained) is registered once through
 * the vLLM-compatible {@code POST /load_lora_adapter} under a name derived from its path, so two
 * directories never share a name and a restarted worker finds its adapters again.
 */
final class RuntimeAdapters {
  private static final Logger LOG = LoggerFactory.getLogger(RuntimeAdapters.class);

  private final OpenAiTransport transport;
  private final ObjectMapper json;
  private final Map<String, String> loaded = new HashMap<>();

  RuntimeAdapters(OpenAiTransport transport, ObjectMapper json) {
    this.transport = transport;
    this.json = json;
  }

  String modelNameFor(String adapter) {
    Path path;
    try {
      path = Path.of(adapter);
    } catch (InvalidPathException notAPath) {
      return adapter;
    }
    if (!path.isAbsolute()) {
      return adapter;
    }
    String directory = path.normalize().toString();
    synchronized (loaded) {
      String name = loaded.get(directory);
      if (name == null) {
        name = nameFor(path.normalize());
        load(name, directory);
        loaded.put(directory, name);
      }
      return name;
    }
  }

  static String nameFor(Path directory) {
    Path last = directory.getFileName();
    String base = last == null ? "adapter" : last.toString().replaceAll("[^A-Za-z0-9._-]", "_");
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest(directory.toString().getBytes(StandardCharsets.UTF_8));
      return base + "-" + HexFormat.of().formatHex(digest, 0, 4);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  private void load(String name, String directory) {
    String body;
    try {
      body =
          json.writeValueAsString(
              json.createObjectNode().put("lora_name", name).put("lora_path", directory));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a request body", e);
    }
    LOG.info("registering adapter {} at the endpoint as {}", directory, name);
    try {
      transport.post("/load_lora_adapter", body);
    } catch (OpenAiException e) {
      if (e.status() == 400 && e.getMessage().contains("already")) {
        return; // loaded by an earlier worker process: vLLM refuses a second load of a name
      }
      if (e.status() == 404 || e.status() == 405) {
        throw new OpenAiException(
            "the endpoint cannot load adapter "
                + directory
                + " at run time ("
                + e.getMessage()
                + "); start vLLM with VLLM_ALLOW_RUNTIME_LORA_UPDATING=True, or serve with "
                + "--allow-runtime-adapters, or serve the adapter under a name and use that name",
            e.status(),
            e.attempts(),
            e);
      }
      throw e;
    }
  }
}
