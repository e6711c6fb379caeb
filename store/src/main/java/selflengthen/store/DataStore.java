package selflengthen.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import selflengthen.spec.SpecFiles;
import selflengthen.v1.DatasetRef;
import selflengthen.v1.RunSpec;
import selflengthen.v1.SpecRef;

/**
 * The data plane: a data root directory (local, or a file system shared by every worker) holding
 * each run's datasets, adapters, reports and manifest (see {@link Layout}). Every path handed in is
 * relative to the root and is refused if it could leave it. Datasets are JSONL, written atomically
 * ({@link #writeJsonl}, {@link #newJsonlWriter}) or sample by sample with crash-safe commits
 * ({@link #appender}). Thread-safe.
 */
public final class DataStore {
  private final Path root;
  private final Path realRoot;
  private final ConcurrentMap<String, Manifest> manifests = new ConcurrentHashMap<>();

  private DataStore(Path root, Path realRoot) {
    this.root = root;
    this.realRoot = realRoot;
  }

  /** Opens (creating it if needed) the data root; fails at once if it cannot be written. */
  public static DataStore open(Path root) {
    Path abs = root.toAbsolutePath().normalize();
    if (Files.exists(abs) && !Files.isDirectory(abs)) {
      throw new StoreException("data root " + abs + " is not a directory");
    }
    try {
      Files.createDirectories(abs);
    } catch (IOException e) {
      throw new StoreException("cannot create data root " + abs + ": " + describe(e), e);
    }
    if (!Files.isDirectory(abs)) {
      throw new StoreException("data root " + abs + " is not a directory");
    }
    try {
      Path probe = Files.createTempFile(abs, ".write-probe-", "");
      Files.delete(probe);
      return new DataStore(abs, abs.toRealPath());
    } catch (IOException e) {
      throw new StoreException("data root " + abs + " is not writable: " + describe(e), e);
    }
  }

  /**
   * Opens an existing data root without creating or writing anything (for commands that only
   * read a run, such as resume): a root that does not exist is an error, not a new directory.
   */
  public static DataStore openExisting(Path root) {
    Path abs = root.toAbsolutePath().normalize();
    if (!Files.exists(abs)) {
      throw new StoreException("data root " + abs + " does not exist");
    }
    if (!Files.isDirectory(abs)) {
      throw new StoreException("data root " + abs + " is not a directory");
    }
    try {
      return new DataStore(abs, abs.toRealPath());
    } catch (IOException e) {
      throw new StoreException("cannot open data root " + abs + ": " + describe(e), e);
    }
  }

  private static String describe(IOException e) {
    if (e instanceof java.nio.file.FileAlreadyExistsException) {
      return e.getMessage() + " exists and is not a directory";
    }
    if (e instanceof java.nio.file.AccessDeniedException) {
      return "permission denied on " + e.getMessage();
    }
    String kind = e.getClass().getSimpleName().replace("Exception", "");
    return e.getMessage() == null ? kind : kind + " " + e.getMessage();
  }

  /** The absolute data root. */
  public Path root() {
    return root;
  }

  /**
   * The absolute path of {@code relative} under the root. Refuses empty and absolute paths, any
   * {@code ..} segment, and paths that reach outside the root through a symbolic link.
   *
   * @throws UnsafePathException naming the path and the reason
   */
  public Path resolve(String relative) {
    if (relative == null || relative.isBlank()) {
      throw new UnsafePathException("empty path: data store paths are relative to " + root);
    }
    Path p;
    try {
      p = Path.of(relative);
    } catch (InvalidPathException e) {
      throw new UnsafePathException("'" + relative + "' is not a valid path: " + e.getReason());
    }
    if (p.isAbsolute() || relative.startsWith("/") || relative.startsWith("\\")) {
      throw new UnsafePathException("absolute path '" + relative + "' refused: data store paths are"
          + " relative to the data root " + root);
    }
    for (Path part : p) {
      if (part.toString().equals("..")) {
        throw new UnsafePathException("path '" + relative + "' refused: '..' may not appear in data"
            + " store paths (data root " + root + ")");
      }
    }
    Path resolved = root.resolve(p).normalize();
    Path existing = resolved;
    while (existing != null && !Files.exists(existing, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      existing = existing.getParent();
    }
    if (existing != null) {
      Path real;
      try {
        real = existing.toRealPath();
      } catch (IOException e) {
        // A dangling symbolic link: where it points is unknown, so it may point out.
        throw new UnsafePathException("path '" + relative + "' refused: " + existing
            + " is a broken symbolic link");
      }
      if (!real.startsWith(realRoot)) {
        throw new UnsafePathException("path '" + relative + "' refused: it leaves the data root "
            + root + " through a symbolic link (to " + real + ")");
      }
    }
    return resolved;
  }

  /** The root-relative form of a path under the root (with '/' separators). */
  public String relativize(Path path) {
    Path abs = path.toAbsolutePath().normalize();
    if (!abs.startsWith(root)) {
      throw new UnsafePathException(path + " is not under the data root " + root);
    }
    return root.relativize(abs).toString().replace('\\', '/');
  }

  public boolean exists(String relative) {
    return Files.exists(resolve(relative));
  }

  /** SHA-256 of a file, or of a directory's files (see {@link Checksums#sha256}). */
  public String sha256(String relative) {
    try {
      return Checksums.sha256(resolve(relative));
    } catch (NoSuchFileException e) {
      throw new StoreException(relative + " not found in the data store " + root, e);
    } catch (IOException e) {
      throw new StoreException("cannot checksum " + relative + ": " + e.getMessage(), e);
    }
  }

  // ---- JSONL datasets

  /** A writer whose rows appear at {@code relative} all at once, on commit. */
  public JsonlWriter newJsonlWriter(String relative) {
    try {
      return new JsonlWriter(relative, resolve(relative));
    } catch (IOException e) {
      throw new StoreException("cannot write " + relative + ": " + e.getMessage(), e);
    }
  }

  /** Writes a whole dataset atomically (each row through Jackson) and returns its reference. */
  public DatasetRef writeJsonl(String relative, Iterable<?> rows) {
    try (JsonlWriter w = newJsonlWriter(relative)) {
      for (Object row : rows) {
        w.write(row);
      }
      return w.commit();
    }
  }

  /** Opens the append-and-commit writer of a shard produced sample by sample. */
  public ShardAppender appender(String relative) {
    return ShardAppender.open(relative, resolve(relative));
  }

  public List<JsonNode> readJsonl(String relative) {
    return readJsonl(relative, JsonNode.class);
  }

  public <T> List<T> readJsonl(String relative, Class<T> type) {
    try (Stream<T> rows = streamJsonl(relative, type)) {
      return new ArrayList<>(rows.toList());
    }
  }

  /** Rows one at a time, for datasets too big to hold; close the stream when done. */
  public <T> Stream<T> streamJsonl(String relative, Class<T> type) {
    Path file = resolve(relative);
    BufferedReader in;
    try {
      in = Files.newBufferedReader(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new StoreException(relative + " not found in the data store " + root, e);
    } catch (IOException e) {
      throw new StoreException("cannot read " + relative + ": " + e.getMessage(), e);
    }
    ObjectReader reader = Jsonl.MAPPER.readerFor(type);
    Iterator<T> rows = new Iterator<>() {
      private int lineNo;
      private String next = advance();

      private String advance() {
        try {
          String line;
          do {
            line = in.readLine();
            lineNo++;
          } while (line != null && line.isBlank());
          return line;
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }

      @Override
      public boolean hasNext() {
        return next != null;
      }

      @Override
      public T next() {
        if (next == null) {
          throw new java.util.NoSuchElementException();
        }
        String line = next;
        int at = lineNo;
        next = advance();
        try {
          return reader.readValue(line);
        } catch (IOException e) {
          throw new StoreException(relative + " line " + at + " does not read as "
              + type.getSimpleName() + ": " + e.getMessage(), e);
        }
      }
    };
    return StreamSupport.stream(Spliterators.spliteratorUnknownSize(rows, Spliterator.ORDERED), false)
        .onClose(() -> {
          try {
            in.close();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
  }

  // ---- single documents

  /** Writes any Jackson-serialisable value as pretty JSON, atomically. */
  public void writeJson(String relative, Object value) {
    try {
      writeBytes(relative, Jsonl.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(value));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException("value cannot be written as JSON: " + e.getOriginalMessage(), e);
    }
  }

  public <T> T readJson(String relative, Class<T> type) {
    try {
      return Jsonl.MAPPER.readValue(resolve(relative).toFile(), type);
    } catch (IOException e) {
      throw readFailure(relative, e);
    }
  }

  public void writeString(String relative, String text) {
    writeBytes(relative, text.getBytes(StandardCharsets.UTF_8));
  }

  public String readString(String relative) {
    try {
      return Files.readString(resolve(relative));
    } catch (IOException e) {
      throw readFailure(relative, e);
    }
  }

  /** Replaces the file's content atomically (temp file + rename). */
  public void writeBytes(String relative, byte[] bytes) {
    try {
      AtomicFiles.write(resolve(relative), bytes);
    } catch (IOException e) {
      throw new StoreException("cannot write " + relative + ": " + e.getMessage(), e);
    }
  }

  /** Writes runs/&lt;run&gt;/spec.json (proto JSON, field names as in spec.proto). */
  public String writeSpec(RunSpec spec) {
    String path = Layout.spec(spec.getRunId());
    writeString(path, SpecFiles.toJson(spec) + "\n");
    return path;
  }

  /**
   * Writes the spec as runs/&lt;run&gt;/specs/&lt;sha256&gt;.json, named by the SHA-256 of its
   * bytes, and returns the reference stage inputs carry instead of the spec. A file of that name
   * is never rewritten: its content is its name.
   */
  public SpecRef writeSpecSnapshot(RunSpec spec) {
    byte[] bytes = (SpecFiles.toJson(spec) + "\n").getBytes(StandardCharsets.UTF_8);
    String sha = Checksums.sha256(bytes);
    String path = Layout.specSnapshot(spec.getRunId(), sha);
    if (!Files.isRegularFile(resolve(path))) {
      writeBytes(path, bytes);
    }
    return SpecRef.newBuilder().setDataRoot(root.toString()).setPath(path).setSha256(sha).build();
  }

  /**
   * The spec a {@link SpecRef} names, from this store (the ref's data root).
   *
   * @throws StoreException when the file is missing, its bytes do not have the ref's SHA-256, or
   *     it is not a spec
   */
  public RunSpec readSpecSnapshot(SpecRef ref) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(resolve(ref.getPath()));
    } catch (IOException e) {
      throw readFailure(ref.getPath(), e);
    }
    String sha = Checksums.sha256(bytes);
    if (!sha.equals(ref.getSha256())) {
      throw new StoreException(resolve(ref.getPath()) + " has SHA-256 " + sha + ", not the "
          + ref.getSha256() + " its reference names: the run's spec file was changed after prepare");
    }
    try {
      return SpecFiles.fromJson(new String(bytes, StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      throw new StoreException(ref.getPath() + " is not a valid run spec: " + e.getMessage(), e);
    }
  }

  /** Reads runs/&lt;run&gt;/spec.json. */
  public RunSpec readSpec(String runId) {
    String path = Layout.spec(runId);
    String json;
    try {
      json = Files.readString(resolve(path));
    } catch (NoSuchFileException e) {
      throw new StoreException("no spec for run '" + runId + "': " + resolve(path) + " not found", e);
    } catch (IOException e) {
      throw readFailure(path, e);
    }
    try {
      return SpecFiles.fromJson(json);
    } catch (IllegalArgumentException e) {
      throw new StoreException(path + " is not a valid run spec: " + e.getMessage(), e);
    }
  }

  private StoreException readFailure(String relative, IOException e) {
    if (e instanceof NoSuchFileException) {
      return new StoreException(relative + " not found in the data store " + root, e);
    }
    return new StoreException("cannot read " + relative + ": " + e.getMessage(), e);
  }

  // ---- manifest

  /** The manifest of a run (one shared instance per run and store). */
  public Manifest manifest(String runId) {
    String path = Layout.manifest(runId);
    return manifests.computeIfAbsent(path, p -> new Manifest(this, p, resolve(p)));
  }

  /**
   * Checks that a run's manifest can be trusted before the run (re)starts on it: every line a
   * record, and present whenever the run holds finished artifacts (their {@code .result.json}
   * records). A missing manifest cannot be rebuilt from the files, as the lineage it held (who
   * made each artifact from which inputs and models) is not in them.
   *
   * @throws DamagedManifestException naming the file and what to do
   */
  public void checkManifest(String runId) {
    Manifest manifest = manifest(runId);
    if (manifest.exists() && !manifest.entries().isEmpty()) {
      return;
    }
    Path runDir = resolve(Layout.run(runId));
    if (!Files.isDirectory(runDir)) {
      return;
    }
    List<Path> finished;
    try (Stream<Path> files = Files.walk(runDir)) {
      finished =
          files
              .filter(f -> f.getFileName().toString().endsWith(".result.json"))
              .filter(Files::isRegularFile)
              .sorted()
              .toList();
    } catch (IOException e) {
      throw new StoreException("cannot list " + runDir + ": " + e.getMessage(), e);
    }
    if (!finished.isEmpty()) {
      String example = relativize(finished.get(0)).replaceFirst("\\.result\\.json$", "");
      throw new DamagedManifestException(
          manifest.path() + (manifest.exists() ? " is empty" : " is missing") + ", but " + Layout.run(runId) + " holds "
              + finished.size() + " finished artifact(s) (e.g. " + example + "). The lineage they"
              + " were recorded with is gone and cannot be rebuilt from the files. Restore the"
              + " manifest from a backup, or start the run again under a new run id (or delete "
              + Layout.run(runId) + " to reuse this one).");
    }
  }

  /** Records a finished dataset (its rows and checksum from the reference) in its run's manifest. */
  public ManifestEntry record(DatasetRef ref, Lineage lineage) {
    String sha = ref.getSha256().isEmpty() ? sha256(ref.getPath()) : ref.getSha256();
    return manifestOf(ref.getPath())
        .record(ManifestEntry.of(ref.getPath(), sha, ref.getCount(), lineage, Instant.now().toString()));
  }

  /** Records a finished artifact (file or directory, e.g. an adapter), checksumming it now. */
  public ManifestEntry record(String path, long rows, Lineage lineage) {
    return manifestOf(path)
        .record(ManifestEntry.of(path, sha256(path), rows, lineage, Instant.now().toString()));
  }

  /** True when the artifact is recorded in its run's manifest and still matches its checksum. */
  public boolean isComplete(String path) {
    return manifestOf(path).isComplete(path);
  }

  private Manifest manifestOf(String path) {
    String run = Layout.runOf(path).orElseThrow(() -> new UnsafePathException(
        "'" + path + "' is not inside a run: manifest entries live under runs/<run>/"));
    return manifest(run);
  }
}
