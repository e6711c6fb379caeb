package selflengthen.model.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads the header of a .safetensors file (8-byte little-endian length, JSON, then raw data) and
 * copies single tensors out as float32, converting F16/BF16 on the way. Tensors are read one at a
 * time with positional reads, so a checkpoint is never held twice in memory.
 */
public final class SafetensorsFile {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int CHUNK = 1 << 22;

  private final Path path;
  private final Map<String, TensorInfo> tensors;
  private final Map<String, String> metadata;

  private SafetensorsFile(Path path, Map<String, TensorInfo> tensors, Map<String, String> metadata) {
    this.path = path;
    this.tensors = tensors;
    this.metadata = metadata;
  }

  public static SafetensorsFile open(Path path) throws IOException {
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
      ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      readFully(ch, lenBuf, 0);
      long headerLen = lenBuf.flip().getLong();
      if (headerLen <= 0 || headerLen > 100_000_000L || headerLen + 8 > ch.size()) {
        throw new IOException(path + ": not a safetensors file (header length " + headerLen + ")");
      }
      ByteBuffer header = ByteBuffer.allocate((int) headerLen);
      readFully(ch, header, 8);
      JsonNode root = JSON.readTree(header.array());
      long dataStart = 8 + headerLen;
      Map<String, TensorInfo> out = new LinkedHashMap<>();
      Map<String, String> meta = new LinkedHashMap<>();
      Iterator<Map.Entry<String, JsonNode>> it = root.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        if (e.getKey().equals("__metadata__")) {
          e.getValue().fields().forEachRemaining(m -> meta.put(m.getKey(), m.getValue().asText()));
          continue;
        }
        JsonNode t = e.getValue();
        DType dtype = DType.parse(t.path("dtype").asText(), e.getKey());
        JsonNode shapeNode = t.path("shape");
        long[] shape = new long[shapeNode.size()];
        for (int i = 0; i < shape.length; i++) {
          shape[i] = shapeNode.get(i).asLong();
        }
        long begin = t.path("data_offsets").get(0).asLong();
        long end = t.path("data_offsets").get(1).asLong();
        TensorInfo info = new TensorInfo(e.getKey(), dtype, shape, path, dataStart + begin, end - begin);
        if (info.elements() * dtype.bytes() != info.length() || dataStart + end > ch.size()) {
          throw new IOException(path + ": tensor '" + e.getKey() + "' has inconsistent byte range");
        }
        out.put(e.getKey(), info);
      }
      return new SafetensorsFile(path, out, meta);
    }
  }

  public Path path() {
    return path;
  }

  public Map<String, TensorInfo> tensors() {
    return tensors;
  }

  public Map<String, String> metadata() {
    return metadata;
  }

  /**
   * Appends the tensor's values as native-order float32 to {@code dst} (a direct buffer with room
   * for {@code info.elements() * 4} more bytes).
   */
  public static void readFloat32(TensorInfo info, ByteBuffer dst) throws IOException {
    readFloat32(info, 0, info.elements(), dst);
  }

  /** Like {@link #readFloat32(TensorInfo, ByteBuffer)} for elements [first, first + count). */
  public static void readFloat32(TensorInfo info, long first, long count, ByteBuffer dst)
      throws IOException {
    int eb = info.dtype().bytes();
    long start = info.offset() + first * eb;
    long length = count * eb;
    try (FileChannel ch = FileChannel.open(info.file(), StandardOpenOption.READ)) {
      if (info.dtype() == DType.F32 && ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN) {
        ByteBuffer slice = dst.slice();
        slice.limit((int) length);
        readFully(ch, slice, start);
        dst.position(dst.position() + (int) length);
        return;
      }
      ByteBuffer raw = ByteBuffer.allocateDirect((int) Math.min(CHUNK, length))
          .order(ByteOrder.LITTLE_ENDIAN);
      ByteBuffer out = dst.order(ByteOrder.nativeOrder());
      long done = 0;
      while (done < length) {
        raw.clear();
        raw.limit((int) Math.min(raw.capacity(), length - done));
        readFully(ch, raw, start + done);
        raw.flip();
        switch (info.dtype()) {
          case F32 -> {
            while (raw.hasRemaining()) {
              out.putFloat(raw.getFloat());
            }
          }
          case F16 -> {
            while (raw.hasRemaining()) {
              out.putFloat(HalfFloats.f16ToFloat(raw.getShort()));
            }
          }
          case BF16 -> {
            while (raw.hasRemaining()) {
              out.putFloat(HalfFloats.bf16ToFloat(raw.getShort()));
            }
          }
          default -> throw new IllegalStateException();
        }
        done += raw.limit();
      }
    }
  }

  static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
    long pos = position;
    while (buf.hasRemaining()) {
      int n = ch.read(buf, pos);
      if (n < 0) {
        throw new IOException("unexpected end of file");
      }
      pos += n;
    }
  }
}
