package selflengthen.model.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {
  @TempDir Path dir;

  static final float[] VALUES = {0f, 1f, -1.25f, 0.5f, 1024f, 6.1035156e-05f, 0.1f, -3.3333f,
      65504f, 1e-7f};

  static TensorSource source(String name, float[] v, long... shape) {
    return new TensorSource(name, shape, () -> {
      ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.nativeOrder());
      b.asFloatBuffer().put(v);
      return b;
    });
  }

  static float[] read(TensorInfo t) throws IOException {
    ByteBuffer b = ByteBuffer.allocateDirect((int) t.elements() * 4).order(ByteOrder.nativeOrder());
    SafetensorsFile.readFloat32(t, b);
    b.flip();
    float[] out = new float[(int) t.elements()];
    b.asFloatBuffer().get(out);
    return out;
  }

  @Test
  void float32RoundTripIsExact() throws IOException {
    Path f = dir.resolve("a.safetensors");
    SafetensorsWriter.write(f, List.of(source("x", VALUES, 2, 5)), DType.F32);
    TensorInfo t = SafetensorsFile.open(f).tensors().get("x");
    assertEquals(DType.F32, t.dtype());
    assertArrayEquals(new long[] {2, 5}, t.shape());
    assertArrayEquals(VALUES, read(t));
  }

  @Test
  void float16RoundTripRoundsToNearestHalf() throws IOException {
    Path f = dir.resolve("h.safetensors");
    SafetensorsWriter.write(f, List.of(source("x", VALUES, 10)), DType.F16);
    float[] back = read(SafetensorsFile.open(f).tensors().get("x"));
    // exactly representable halves survive unchanged
    assertEquals(-1.25f, back[2]);
    assertEquals(1024f, back[4]);
    assertEquals(6.1035156e-05f, back[5]);
    assertEquals(65504f, back[8]);
    // 0.1 is 0x2E66 in half precision = 0.0999755859375
    assertEquals(0.0999755859375f, back[6]);
    // 1e-7 is a half subnormal: 2 * 2^-24
    assertEquals(2 * 0x1p-24f, back[9]);
    for (int i = 0; i < VALUES.length; i++) {
      assertEquals(VALUES[i], back[i], Math.abs(VALUES[i]) * 1e-3 + 1e-7);
    }
  }

  @Test
  void bfloat16IsWidenedToFloat32() throws IOException {
    Path f = dir.resolve("b.safetensors");
    SafetensorsWriter.write(f, List.of(source("x", VALUES, 10)), DType.BF16);
    byte[] raw = Files.readAllBytes(f);
    assertTrue(new String(raw, StandardCharsets.UTF_8).contains("\"BF16\""));
    float[] back = read(SafetensorsFile.open(f).tensors().get("x"));
    // 0.1f = 0x3DCCCCCD rounds to 0x3DCD = 0.10009765625
    assertEquals(0.10009765625f, back[6]);
    assertEquals(-1.25f, back[2]);
    assertEquals(1024f, back[4]);
    for (int i = 0; i < VALUES.length; i++) {
      assertEquals(VALUES[i], back[i], Math.abs(VALUES[i]) * 8e-3);
    }
  }

  @Test
  void shardedCheckpointHasIndexAndAllTensors() throws IOException {
    List<TensorSource> tensors = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      float[] v = new float[100];
      java.util.Arrays.fill(v, i);
      tensors.add(source("t" + i, v, 10, 10));
    }
    SafetensorsWriter.writeCheckpoint(dir, tensors, DType.F32, 900);
    assertTrue(Files.exists(dir.resolve("model.safetensors.index.json")));
    assertTrue(Files.exists(dir.resolve("model-00001-of-00003.safetensors")));
    assertTrue(Files.exists(dir.resolve("model-00003-of-00003.safetensors")));
    Map<String, TensorInfo> all = WeightFiles.open(dir);
    assertEquals(5, all.size());
    for (int i = 0; i < 5; i++) {
      float[] back = read(all.get("t" + i));
      assertEquals(i, back[57]);
    }
    // rewriting as one file removes the shards
    SafetensorsWriter.writeCheckpoint(dir, tensors, DType.F32, 1 << 20);
    assertTrue(Files.exists(dir.resolve("model.safetensors")));
    assertTrue(Files.notExists(dir.resolve("model.safetensors.index.json")));
    assertEquals(5, WeightFiles.open(dir).size());
  }

  @Test
  void unsupportedDtypeNamesTheTensor() throws IOException {
    String header = "{\"w\":{\"dtype\":\"I8\",\"shape\":[2],\"data_offsets\":[0,2]}}";
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + h.length + 2).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(h.length).put(h).put((byte) 1).put((byte) 2);
    Path f = dir.resolve("i8.safetensors");
    Files.write(f, b.array());
    var e = assertThrows(DType.UnsupportedDtypeException.class, () -> SafetensorsFile.open(f));
    assertTrue(e.getMessage().contains("'w'") && e.getMessage().contains("I8"), e.getMessage());
  }

  @Test
  void halfConversionsMatchIeee() {
    assertEquals((short) 0x3C00, HalfFloats.floatToF16(1f));
    assertEquals((short) 0x7C00, HalfFloats.floatToF16(1e6f));
    assertEquals((short) 0xC000, HalfFloats.floatToF16(-2f));
    assertEquals(1f, HalfFloats.f16ToFloat((short) 0x3C00));
    assertEquals(Float.POSITIVE_INFINITY, HalfFloats.f16ToFloat((short) 0x7C00));
    assertTrue(Float.isNaN(HalfFloats.f16ToFloat((short) 0x7E00)));
    assertEquals((short) 0x3F80, HalfFloats.floatToBf16(1f));
    assertEquals(1f, HalfFloats.bf16ToFloat((short) 0x3F80));
    // ties to even: 1 + 2^-8 is halfway between bf16 1.0 and 1.0078125
    assertEquals((short) 0x3F80, HalfFloats.floatToBf16(1f + 0x1p-8f));
    assertEquals((short) 0x3F82, HalfFloats.floatToBf16(1f + 3 * 0x1p-8f));
  }
}
