package selflengthen.model.train;

import ai.djl.ndarray.NDArray;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import selflengthen.model.io.DType;
import selflengthen.model.io.SafetensorsFile;
import selflengthen.model.io.SafetensorsWriter;
import selflengthen.model.io.TensorInfo;
import selflengthen.model.io.TensorSource;
import selflengthen.model.lora.LoraWeights;

/**
 * Resumable checkpoints: {@code checkpoint-<step>/} with the trainable weights (a PEFT adapter,
 * or the model's weights), AdamW's moments and the trainer state, and a {@code latest} file
 * naming the newest complete one (written last, atomically). Two checkpoints are kept.
 */
final class TrainingCheckpoints {
  static final String LATEST = "latest";
  private static final String WEIGHTS = "trainable.safetensors";
  private static final String OPTIMIZER = "optimizer.safetensors";

  private TrainingCheckpoints() {}

  static void save(Path root, TrainingState state, Map<String, NDArray> params,
      SftTrainer.AdamW optimizer, LoraWeights lora, String baseModel) throws IOException {
    Files.createDirectories(root);
    String name = "checkpoint-" + state.step();
    Path dir = root.resolve(name);
    Files.createDirectories(dir);
    List<TensorSource> weights = new ArrayList<>();
    List<TensorSource> moments = new ArrayList<>();
    for (Map.Entry<String, NDArray> e : params.entrySet()) {
      weights.add(source(e.getKey(), e.getValue()));
      moments.add(source(e.getKey() + ".exp_avg", optimizer.mean.get(e.getKey())));
      moments.add(source(e.getKey() + ".exp_avg_sq", optimizer.variance.get(e.getKey())));
    }
    if (lora != null) {
      lora.save(dir, baseModel);
    } else {
      SafetensorsWriter.write(dir.resolve(WEIGHTS), weights, DType.F32);
    }
    SafetensorsWriter.write(dir.resolve(OPTIMIZER), moments, DType.F32);
    Files.writeString(dir.resolve("optimizer_steps"), Long.toString(optimizer.updates));
    state.write(dir);
    Path tmp = root.resolve(LATEST + ".tmp");
    Files.writeString(tmp, name);
    Files.move(tmp, root.resolve(LATEST), StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.ATOMIC_MOVE);
    prune(root, name);
  }

  /**
   * Makes {@code checkpoint} (a complete checkpoint-N directory in {@code root}) the one the next
   * run of a job resumes from; null forgets every checkpoint, so the next run starts afresh.
   */
  static void select(Path root, Path checkpoint) throws IOException {
    if (checkpoint == null) {
      Files.deleteIfExists(root.resolve(LATEST));
      return;
    }
    Path dir = root.resolve(checkpoint.getFileName().toString());
    if (!dir.getFileName().toString().startsWith("checkpoint-")
        || !Files.isRegularFile(dir.resolve(TrainingState.FILE))) {
      throw new IllegalArgumentException(checkpoint + " is not a complete checkpoint of " + root);
    }
    Path tmp = root.resolve(LATEST + ".tmp");
    Files.writeString(tmp, dir.getFileName().toString());
    Files.move(tmp, root.resolve(LATEST), StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.ATOMIC_MOVE);
  }

  static void restore(Path root, TrainingState state, Map<String, NDArray> params,
      SftTrainer.AdamW optimizer) throws IOException {
    Path dir = root.resolve(Files.readString(root.resolve(LATEST)).trim());
    Path weightsFile = Files.exists(dir.resolve(WEIGHTS)) ? dir.resolve(WEIGHTS)
        : dir.resolve(LoraWeights.WEIGHTS_FILE);
    Map<String, TensorInfo> w = SafetensorsFile.open(weightsFile).tensors();
    Map<String, TensorInfo> o = SafetensorsFile.open(dir.resolve(OPTIMIZER)).tensors();
    for (Map.Entry<String, NDArray> e : params.entrySet()) {
      copy(w.get(e.getKey()), e.getValue(), e.getKey());
      copy(o.get(e.getKey() + ".exp_avg"), optimizer.mean.get(e.getKey()), e.getKey());
      copy(o.get(e.getKey() + ".exp_avg_sq"), optimizer.variance.get(e.getKey()), e.getKey());
    }
    optimizer.updates = Long.parseLong(Files.readString(dir.resolve("optimizer_steps")).trim());
  }

  private static void copy(TensorInfo t, NDArray into, String name) throws IOException {
    if (t == null || t.elements() != into.getShape().size()) {
      throw new IllegalStateException("checkpoint lacks a matching tensor for '" + name + "'");
    }
    ByteBuffer b = ByteBuffer.allocateDirect((int) t.elements() * 4).order(ByteOrder.nativeOrder());
    SafetensorsFile.readFloat32(t, b);
    b.flip();
    float[] f = new float[(int) t.elements()];
    b.asFloatBuffer().get(f);
    try (NDArray src = into.getManager().create(f, into.getShape())) {
      into.set(new ai.djl.ndarray.index.NDIndex("..."), src);
    }
  }

  private static TensorSource source(String name, NDArray a) {
    return new TensorSource(name, a.getShape().getShape(), () -> {
      float[] f = a.toFloatArray();
      ByteBuffer b = ByteBuffer.allocate(f.length * 4).order(ByteOrder.nativeOrder());
      b.asFloatBuffer().put(f);
      return b;
    });
  }

  private static void prune(Path root, String keep) throws IOException {
    List<Path> dirs = new ArrayList<>();
    try (var s = Files.list(root)) {
      s.filter(p -> p.getFileName().toString().startsWith("checkpoint-") && Files.isDirectory(p))
          .forEach(dirs::add);
    }
    dirs.sort(Comparator.comparingLong(p ->
        Long.parseLong(p.getFileName().toString().substring("checkpoint-".length()))));
    for (int i = 0; i < dirs.size() - 2; i++) {
      if (!dirs.get(i).getFileName().toString().equals(keep)) {
        deleteTree(dirs.get(i));
      }
    }
  }

  private static void deleteTree(Path p) throws IOException {
    try (var walk = Files.walk(p)) {
      for (Path x : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(x);
      }
    }
  }
}
