package selflengthen.model.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/** The tensors of a Hugging Face checkpoint directory: model.safetensors or its shards. */
public final class WeightFiles {
  private static final ObjectMapper JSON = new ObjectMapper();

  private WeightFiles() {}

  public static Map<String, TensorInfo> open(Path dir) throws IOException {
    Path single = dir.resolve("model.safetensors");
    Path index = dir.resolve("model.safetensors.index.json");
    Map<String, TensorInfo> out = new LinkedHashMap<>();
    if (Files.exists(index)) {
      JsonNode map = JSON.readTree(index.toFile()).path("weight_map");
      Map<String, SafetensorsFile> shards = new HashMap<>();
      var it = map.fields();
      while (it.hasNext()) {
        var e = it.next();
        String shard = e.getValue().asText();
        Path shardPath = dir.resolve(shard);
        if (!Files.exists(shardPath)) {
          throw new NoSuchFileException(shardPath.toString(), null,
              "shard named in model.safetensors.index.json is missing");
        }
        SafetensorsFile f = shards.computeIfAbsent(shard, s -> openUnchecked(shardPath));
        TensorInfo info = f.tensors().get(e.getKey());
        if (info == null) {
          throw new IOException(shardPath + " does not hold tensor '" + e.getKey()
              + "' named in the index");
        }
        out.put(e.getKey(), info);
      }
      return out;
    }
    if (Files.exists(single)) {
      out.putAll(SafetensorsFile.open(single).tensors());
      return out;
    }
    if (Files.exists(dir.resolve("pytorch_model.bin"))
        || Files.exists(dir.resolve("pytorch_model.bin.index.json"))) {
      throw new IOException(dir + " holds pytorch_model.bin weights; convert them to safetensors"
          + " (transformers: model.save_pretrained(dir, safe_serialization=True))");
    }
    throw new NoSuchFileException(single.toString(), null,
        "checkpoint has neither model.safetensors nor model.safetensors.index.json");
  }

  private static SafetensorsFile openUnchecked(Path p) {
    try {
      return SafetensorsFile.open(p);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
