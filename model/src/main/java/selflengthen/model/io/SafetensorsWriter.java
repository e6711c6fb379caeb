package selflengthen.model.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes safetensors files (single or sharded with model.safetensors.index.json, as Hugging Face
 * does), converting float32 values to the chosen element type. Files appear atomically: each is
 * written under a temporary name and moved into place.
 */
public final class SafetensorsWriter {
  private static final ObjectMapper JSON = new ObjectMapper();

  private SafetensorsWriter() {}

  public static void write(Path file, List<TensorSource> tensors, DType dtype) throws IOException {
    ObjectNode header = JSON.createObjectNode();
    header.putObject("__metadata__").put("format", "pt");
    long offset = 0;
    for (TensorSource t : tensors) {
      ObjectNode n = header.putObject(t.name());
      n.put("dtype", dtype.name());
      ArrayNode shape = n.putArray("shape");
      for (long d : t.shape()) {
        shape.add(d);
      }
      long len = t.elements() * dtype.bytes();
      n.putArray("data_offsets").add(offset).add(offset + len);
      offset += len;
    }
    byte[] json = JSON.writeValueAsBytes(header);
    int padded = (json.length + 7) / 8 * 8;
    ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
    head.putLong(padded).put(json);
    while (head.hasRemaining()) {
      head.put((byte) ' ');
    }
    head.flip();
    Files.createDirectories(file.toAbsolutePath().getParent());
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
      writeFully(ch, head);
      for (TensorSource t : tensors) {
        ByteBuffer src = t.float32().get().order(ByteOrder.nativeOrder());
        if (src.remaining() != t.elements() * 4) {
          throw new IOException("tensor '" + t.name() + "' supplied " + src.remaining()
              + " bytes for shape " + java.util.Arrays.toString(t.shape()));
        }
        writeFully(ch, convert(src, dtype));
      }
      ch.force(true);
    }
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /**
   * Writes {@code model.safetensors}, or shards of at most {@code maxShardBytes} named like
   * Hugging Face's ({@code model-00001-of-00003.safetensors}) plus the index file.
   */
  public static void writeCheckpoint(Path dir, List<TensorSource> tensors, DType dtype,
      long maxShardBytes) throws IOException {
    List<List<TensorSource>> shards = new ArrayList<>();
    List<TensorSource> current = new ArrayList<>();
    long currentBytes = 0;
    long total = 0;
    for (TensorSource t : tensors) {
      long bytes = t.elements() * dtype.bytes();
      if (!current.isEmpty() && currentBytes + bytes > maxShardBytes) {
        shards.add(current);
        current = new ArrayList<>();
        currentBytes = 0;
      }
      current.add(t);
      currentBytes += bytes;
      total += bytes;
    }
    shards.add(current);
    Files.createDirectories(dir);
    Files.deleteIfExists(dir.resolve("model.safetensors.index.json"));
    try (var old = Files.list(dir)) {
      for (Path p : (Iterable<Path>) old::iterator) {
        String n = p.getFileName().toString();
        if (n.matches("model-\\d{5}-of-\\d{5}\\.safetensors") || n.equals("model.safetensors")) {
          Files.delete(p);
        }
      }
    }
    if (shards.size() == 1) {
      write(dir.resolve("model.safetensors"), shards.get(0), dtype);
      return;
    }
    Map<String, String> weightMap = new LinkedHashMap<>();
    for (int i = 0; i < shards.size(); i++) {
      String name = String.format("model-%05d-of-%05d.safetensors", i + 1, shards.size());
      write(dir.resolve(name), shards.get(i), dtype);
      for (TensorSource t : shards.get(i)) {
        weightMap.put(t.name(), name);
      }
    }
    ObjectNode index = JSON.createObjectNode();
    index.putObject("metadata").put("total_size", total);
    ObjectNode map = index.putObject("weight_map");
    weightMap.forEach(map::put);
    Path tmp = dir.resolve("model.safetensors.index.json.tmp");
    JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), index);
    Files.move(tmp, dir.resolve("model.safetensors.index.json"),
        StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private static ByteBuffer convert(ByteBuffer src, DType dtype) {
    if (dtype == DType.F32 && ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN) {
      return src;
    }
    int n = src.remaining() / 4;
    ByteBuffer out = ByteBuffer.allocate(n * dtype.bytes()).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n; i++) {
      float f = src.getFloat();
      switch (dtype) {
        case F32 -> out.putFloat(f);
        case F16 -> out.putShort(HalfFloats.floatToF16(f));
        case BF16 -> out.putShort(HalfFloats.floatToBf16(f));
        default -> throw new IllegalStateException();
      }
    }
    return out.flip();
  }

  private static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
    while (buf.hasRemaining()) {
      ch.write(buf);
    }
  }

  static String utf8(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}
