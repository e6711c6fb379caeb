package selflengthen.store;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A run's lineage log, runs/&lt;run&gt;/manifest.jsonl: append-only, one JSON line per finished
 * artifact; the latest line for a path wins.
 *
 * <p>Several writers, in threads or in JVMs on machines sharing the file system, append at once:
 * each append takes an exclusive file lock on the manifest (plus a JVM-wide lock, as file locks are
 * per process), repairs a torn last line left by a crashed writer, writes its line and fsyncs.
 * Readers take no lock and read only whole lines. File locks need a file system that honours
 * them (local, NFSv4, most cluster file systems).
 */
public final class Manifest {
  private static final Logger log = LoggerFactory.getLogger(Manifest.class);
  private static final ConcurrentMap<Path, ReentrantLock> JVM_LOCKS = new ConcurrentHashMap<>();
  static final ObjectMapper MAPPER =
      new ObjectMapper()
          .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .setSerializationInclusion(JsonInclude.Include.NON_NULL)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private final DataStore store;
  private final String relative;
  private final Path file;
  private long offset;
  private long linesRead;
  private final List<ManifestEntry> entries = new ArrayList<>();
  private final Map<String, ManifestEntry> latest = new LinkedHashMap<>();

  Manifest(DataStore store, String relative, Path file) {
    this.store = store;
    this.relative = relative;
    this.file = file;
  }

  /** The manifest's path relative to the data root. */
  public String path() {
    return relative;
  }

  /** Appends one entry (its time set to now when null) and returns what was written. */
  public ManifestEntry record(ManifestEntry entry) {
    ManifestEntry e = entry.time() != null ? entry
        : new ManifestEntry(entry.path(), entry.sha256(), entry.rows(), entry.producer(),
            entry.inputs(), entry.models(), Instant.now().toString());
    byte[] line;
    try {
      line = (MAPPER.writeValueAsString(e) + "\n").getBytes(StandardCharsets.UTF_8);
    } catch (IOException ex) {
      throw new IllegalArgumentException("manifest entry cannot be written as JSON: " + ex.getMessage(), ex);
    }
    ReentrantLock jvmLock = JVM_LOCKS.computeIfAbsent(file, f -> new ReentrantLock());
    jvmLock.lock();
    try {
      Files.createDirectories(file.getParent());
      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
              StandardOpenOption.WRITE);
          FileLock ignored = ch.lock()) {
        long end = wholeLinesEnd(ch);
        if (end < ch.size()) {
          log.warn("{}: cutting a torn last line of {} bytes", relative, ch.size() - end);
          ch.truncate(end);
        }
        Optional<ManifestEntry> same = sameAsLatest(e, ch);
        if (same.isPresent()) {
          // The artifact is already recorded with this content and lineage (a resumed run, a
          // redone shard that came out the same): another line would say nothing new.
          return same.get();
        }
        ByteBuffer buf = ByteBuffer.wrap(line);
        long pos = end;
        while (buf.hasRemaining()) {
          pos += ch.write(buf, pos);
        }
        ch.force(false);
      }
    } catch (IOException ex) {
      throw new StoreException("cannot append to " + relative + ": " + ex.getMessage(), ex);
    } finally {
      jvmLock.unlock();
    }
    return e;
  }

  /**
   * The latest entry of {@code e}'s path when it records the same artifact (checksum, rows) made
   * from the same inputs and models; who made it and when do not count.
   */
  private synchronized Optional<ManifestEntry> sameAsLatest(ManifestEntry e, FileChannel locked)
      throws IOException {
    // Read through the locked channel: closing another channel of the file would release the
    // process's lock on it (POSIX record locks are per process and file).
    refreshFrom(locked);
    ManifestEntry last = latest.get(e.path());
    boolean same =
        last != null
            && last.sha256().equals(e.sha256())
            && last.rows() == e.rows()
            && last.inputs().equals(e.inputs())
            && last.models().equals(e.models());
    return same ? Optional.of(last) : Optional.empty();
  }

  /** Where the last whole line ends: the file size, or just after its last newline. */
  private static long wholeLinesEnd(FileChannel ch) throws IOException {
    long size = ch.size();
    if (size == 0) {
      return 0;
    }
    ByteBuffer one = ByteBuffer.allocate(1);
    ch.read(one, size - 1);
    if (one.get(0) == '\n') {
      return size;
    }
    ByteBuffer chunk = ByteBuffer.allocate(8192);
    long pos = size;
    while (pos > 0) {
      long start = Math.max(0, pos - chunk.capacity());
      chunk.clear().limit((int) (pos - start));
      ch.read(chunk, start);
      for (int i = (int) (pos - start) - 1; i >= 0; i--) {
        if (chunk.get(i) == '\n') {
          return start + i + 1;
        }
      }
      pos = start;
    }
    return 0;
  }

  /** Every entry, oldest first. */
  public List<ManifestEntry> entries() {
    return read(() -> entriesNow());
  }

  private synchronized List<ManifestEntry> entriesNow() {
    refresh();
    return Collections.unmodifiableList(new ArrayList<>(entries));
  }

  /** The latest entry of every path, in the order paths first appeared. */
  public Map<String, ManifestEntry> latestByPath() {
    return read(() -> latestByPathNow());
  }

  private synchronized Map<String, ManifestEntry> latestByPathNow() {
    refresh();
    return Collections.unmodifiableMap(new LinkedHashMap<>(latest));
  }

  public Optional<ManifestEntry> latest(String path) {
    return read(() -> latestNow(path));
  }

  /**
   * Reads under this JVM's lock of the file: a reader closing its channel while another thread
   * holds the file lock would release that lock (POSIX record locks belong to the process), and
   * another process could then append in the middle of a line. Lock order: JVM lock, then this.
   */
  private <T> T read(java.util.function.Supplier<T> reading) {
    ReentrantLock jvmLock = JVM_LOCKS.computeIfAbsent(file, f -> new ReentrantLock());
    jvmLock.lock();
    try {
      return reading.get();
    } finally {
      jvmLock.unlock();
    }
  }

  private synchronized Optional<ManifestEntry> latestNow(String path) {
    refresh();
    return Optional.ofNullable(latest.get(path));
  }

  /** True when the path has an entry and the artifact on disk still has that entry's checksum. */
  public boolean isComplete(String path) {
    Optional<ManifestEntry> entry = latest(path);
    if (entry.isEmpty()) {
      return false;
    }
    Path artifact = store.resolve(path);
    if (!Files.exists(artifact)) {
      return false;
    }
    try {
      return Checksums.sha256(artifact).equals(entry.get().sha256());
    } catch (IOException e) {
      log.warn("{}: cannot checksum {}: {}", relative, path, e.getMessage());
      return false;
    }
  }

  private static String abbreviate(String line) {
    return line.length() <= 80 ? line : line.substring(0, 77) + "...";
  }

  /** True when the manifest file exists. */
  public boolean exists() {
    return Files.exists(file);
  }

  /** Reads the whole lines appended since the last read. */
  private void refresh() {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      refreshFrom(ch);
    } catch (NoSuchFileException e) {
      if (offset > 0) {
        throw new DamagedManifestException(relative + " was deleted while the run used it ("
            + entries.size() + " records read before). Restore it from a backup.");
      }
    } catch (IOException e) {
      throw new StoreException("cannot read " + relative + ": " + e.getMessage(), e);
    }
  }

  private void refreshFrom(FileChannel ch) throws IOException {
    long size = ch.size();
    if (size < offset) {
      throw new DamagedManifestException(relative + " is shorter (" + size + " bytes) than this"
          + " process already read (" + offset + " bytes): it was truncated or replaced while"
          + " the run used it. Restore it from a backup; records are never removed from it.");
    }
    if (size == offset) {
      return;
    }
    ByteBuffer buf = ByteBuffer.allocate((int) Math.min(Integer.MAX_VALUE - 16, size - offset));
    long pos = offset;
    while (buf.hasRemaining()) {
      int n = ch.read(buf, pos);
      if (n < 0) {
        break;
      }
      pos += n;
    }
    byte[] fresh = new byte[buf.position()];
    buf.flip().get(fresh);
    // Parsed in full before anything is kept, so a refused read leaves this reader as it was.
    List<ManifestEntry> parsed = new ArrayList<>();
    long line = linesRead;
    int start = 0;
    for (int i = 0; i < fresh.length; i++) {
      if (fresh[i] != '\n') {
        continue;
      }
      String text = new String(fresh, start, i - start, StandardCharsets.UTF_8);
      start = i + 1;
      line++;
      if (text.isBlank()) {
        continue;
      }
      ManifestEntry e;
      try {
        e = MAPPER.readValue(text, ManifestEntry.class);
      } catch (IOException ex) {
        e = null;
      }
      if (e == null || e.path() == null || e.sha256() == null) {
        // Skipping the line would silently drop what it recorded (and its lineage): refuse.
        throw new DamagedManifestException(relative + " is damaged: line " + line
            + " is not a manifest record (" + abbreviate(text) + "). Restore the file from a"
            + " backup, or start the run again under a new run id; the run does not go on with"
            + " a manifest that lost records.");
      }
      parsed.add(e);
    }
    for (ManifestEntry e : parsed) {
      entries.add(e);
      latest.put(e.path(), e);
    }
    linesRead = line;
    offset += start;
  }
}
