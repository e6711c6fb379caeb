package selflengthen.model.io;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import selflengthen.model.config.Checkpoint;
import selflengthen.model.config.EngineOptions;
import selflengthen.model.Models;
import selflengthen.model.TinyModels;
import selflengthen.model.config.ModelConfig;
import selflengthen.model.nn.DecoderModel;

class CheckpointErrorsTest {
  @TempDir Path dir;

  /** A copy of the tiny checkpoint whose tensors went through {@code edit}. */
  Path copyWith(UnaryOperator<List<TensorSource>> edit) throws IOException {
    Path src = TinyModels.tiny();
    try (var files = Files.list(src)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        if (!p.getFileName().toString().endsWith(".safetensors")) {
          Files.copy(p, dir.resolve(p.getFileName()));
        }
      }
    }
    List<TensorSource> tensors = new ArrayList<>();
    for (TensorInfo t : WeightFiles.open(src).values()) {
      tensors.add(new TensorSource(t.name(), t.shape(), () -> {
        ByteBuffer b = ByteBuffer.allocateDirect((int) t.elements() * 4)
            .order(ByteOrder.nativeOrder());
        try {
          SafetensorsFile.readFloat32(t, b);
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
        return b.flip();
      }));
    }
    SafetensorsWriter.writeCheckpoint(dir, edit.apply(tensors), DType.F32, 1L << 30);
    return dir;
  }

  static ModelConfig config(Path d) throws IOException {
    return Checkpoint.read(d).config();
  }

  @Test
  void wrongShapeNamesTheTensor() throws IOException {
    String name = "model.layers.1.self_attn.k_proj.weight";
    Path d = copyWith(ts -> ts.stream().map(t -> !t.name().equals(name) ? t
        : new TensorSource(name, new long[] {t.shape()[0] / 2, t.shape()[1] * 2}, t.float32()))
        .toList());
    var e = assertThrows(IllegalArgumentException.class,
        () -> DecoderModel.load(config(d), d, Device.cpu()));
    assertTrue(e.getMessage().contains("'" + name + "'"), e.getMessage());
    assertTrue(e.getMessage().contains("shape"), e.getMessage());
  }

  @Test
  void missingTensorIsNamed() throws IOException {
    Path d = copyWith(ts -> ts.stream().filter(t -> !t.name().equals("model.norm.weight")).toList());
    var e = assertThrows(IllegalArgumentException.class,
        () -> DecoderModel.load(config(d), d, Device.cpu()));
    assertTrue(e.getMessage().contains("'model.norm.weight'"), e.getMessage());
  }

  @Test
  void missingFilesAreReported() throws IOException {
    Path d = copyWith(ts -> ts);
    Files.delete(d.resolve("tokenizer.json"));
    var e = assertThrows(RuntimeException.class, () -> Models.open(d, EngineOptions.defaults()));
    assertTrue(e.getMessage().contains("tokenizer.json"), e.getMessage());
    Files.delete(d.resolve("config.json"));
    var e2 = assertThrows(NoSuchFileException.class, () -> Checkpoint.read(d));
    assertTrue(e2.getMessage().contains("config.json"), e2.getMessage());
    var e3 = assertThrows(NoSuchFileException.class, () -> WeightFiles.open(dir.resolve("none")));
    assertTrue(e3.getMessage().contains("model.safetensors"), e3.getMessage());
  }

  @Test
  void unknownArchitectureIsRejected() throws IOException {
    Path d = copyWith(ts -> ts);
    String json = Files.readString(d.resolve("config.json"))
        .replace("Qwen2ForCausalLM", "MistralForCausalLM").replace("\"qwen2\"", "\"mistral\"");
    Files.writeString(d.resolve("config.json"), json);
    var e = assertThrows(IllegalArgumentException.class, () -> Checkpoint.read(d));
    assertTrue(e.getMessage().contains("MistralForCausalLM"), e.getMessage());
  }

  @Test
  void shardedBfloat16CheckpointLoadsAndRunsLikeTheOriginal() throws Exception {
    Path d = copyWith(ts -> ts);
    Path bf16 = dir.resolve("bf16");
    Files.createDirectories(bf16);
    try (var files = Files.list(d)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        if (Files.isRegularFile(p) && !p.getFileName().toString().endsWith(".safetensors")) {
          Files.copy(p, bf16.resolve(p.getFileName()));
        }
      }
    }
    List<TensorSource> tensors = new ArrayList<>();
    for (TensorInfo t : WeightFiles.open(d).values()) {
      tensors.add(new TensorSource(t.name(), t.shape(), () -> {
        ByteBuffer b = ByteBuffer.allocateDirect((int) t.elements() * 4)
            .order(ByteOrder.nativeOrder());
        try {
          SafetensorsFile.readFloat32(t, b);
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
        return b.flip();
      }));
    }
    SafetensorsWriter.writeCheckpoint(bf16, tensors, DType.BF16, 600_000);
    Map<String, TensorInfo> infos = WeightFiles.open(bf16);
    assertTrue(Files.exists(bf16.resolve("model.safetensors.index.json")));
    assertTrue(infos.values().stream().allMatch(t -> t.dtype() == DType.BF16));
    try (DecoderModel m = DecoderModel.load(config(bf16), bf16, Device.cpu())) {
      assertTrue(m.weights().bytes() > 0);
    }
  }
}
