package selflengthen.store;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import selflengthen.v1.DatasetRef;

/**
 * Append-and-commit writer for a shard produced sample by sample, so a retried activity continues
 * after the last committed sample instead of starting over.
 *
 * <p>Rows go to {@code <name>.partial} next to the target, one JSON line per row, each written
 * whole, flushed and fsynced before {@link #append} returns: a crash leaves only whole committed
 * lines plus at most one torn line, which {@link DataStore#appender reopening} cuts off. Reopening
 * returns the committed rows ({@link #committedCount}, {@link #committedRows}). {@link #finish}
 * renames the partial file to the target and returns its reference. One writer at a time: a lock
 * file ({@code .<name>.lock}) refuses a second one, in this JVM or another.
 *
 * <p>Opening an appender on a target that exists without a partial file reopens the finished file
 * (its rows count as committed): that recovers a crash between {@link #finish} and the manifest
 * record. Check {@link Manifest#isComplete} first to skip finished work.
 */
public final class ShardAppender implements Closeable {
  private static final Logger log = LoggerFactory.getLogger(ShardAppender.class);

  private final String relative;
  private final Path target;
  private final Path partial;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private final FileChannel channel;
  private final List<String> committed;
  private boolean closed;

  private ShardAppender(
      String relative, Path target, Path partial, FileChannel lockChannel, FileLock lock,
      FileChannel channel, List<String> committed) {
    this.relative = relative;
    this.target = target;
    this.partial = partial;
    this.lockChannel = lockChannel;
    this.lock = lock;
    this.channel = channel;
    this.committed = committed;
  }

  static ShardAppender open(String relative, Path target) {
    Path partial = target.resolveSibling(target.getFileName() + ".partial");
    Path lockFile = target.resolveSibling("." + target.getFileName() + ".lock");
    FileChannel lockChannel = null;
    FileChannel channel = null;
    try {
      Files.createDirectories(target.getParent());
      lockChannel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = lockChannel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null;
      }
      if (lock == null) {
        throw new StoreException(relative + " is being written by another writer (" + lockFile + " is locked)");
      }
      if (!Files.exists(partial) && Files.exists(target)) {
        Files.move(target, partial, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        AtomicFiles.syncDirectory(target.getParent());
      }
      channel = FileChannel.open(partial, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
      List<String> rows = recover(relative, channel);
      channel.position(channel.size());
      return new ShardAppender(relative, target, partial, lockChannel, lock, channel, rows);
    } catch (IOException e) {
      closeQuietly(channel);
      closeQuietly(lockChannel);
      throw new StoreException("cannot open " + relative + " for appending: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      closeQuietly(channel);
      closeQuietly(lockChannel);
      throw e;
    }
  }

  /** Keeps the whole, parseable lines; cuts the file after the last of them. */
  private static List<String> recover(String relative, FileChannel channel) throws IOException {
    long size = channel.size();
    if (size > Integer.MAX_VALUE - 16) {
      throw new StoreException(relative + ".partial is too large to reopen (" + size + " bytes)");
    }
    ByteBuffer buf = ByteBuffer.allocate((int) size);
    channel.position(0);
    while (buf.hasRemaining() && channel.read(buf) >= 0) {
      // read it all
    }
    byte[] bytes = buf.array();
    List<String> rows = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] != '\n') {
        continue;
      }
      String line = new String(bytes, start, i - start, StandardCharsets.UTF_8);
      if (!isJson(line)) {
        break;
      }
      rows.add(line);
      start = i + 1;
    }
    if (start < bytes.length) {
      log.warn("{}: cutting {} bytes after the last committed row ({} rows kept)",
          relative, bytes.length - start, rows.size());
      channel.truncate(start);
      channel.force(true);
    }
    return rows;
  }

  private static boolean isJson(String line) {
    if (line.isBlank()) {
      return false;
    }
    try {
      JsonNode node = Jsonl.MAPPER.readTree(line);
      return node != null && !node.isMissingNode();
    } catch (IOException e) {
      return false;
    }
  }

  public String path() {
    return relative;
  }

  /** Rows committed so far, including those found on reopening. */
  public long committedCount() {
    return committed.size();
  }

  public List<JsonNode> committedRows() {
    List<JsonNode> out = new ArrayList<>(committed.size());
    for (String line : committed) {
      out.add(parse(line, JsonNode.class));
    }
    return Collections.unmodifiableList(out);
  }

  public <T> List<T> committedRows(Class<T> type) {
    List<T> out = new ArrayList<>(committed.size());
    for (String line : committed) {
      out.add(parse(line, type));
    }
    return Collections.unmodifiableList(out);
  }

  private <T> T parse(String line, Class<T> type) {
    try {
      return Jsonl.MAPPER.readValue(line, type);
    } catch (IOException e) {
      throw new StoreException(relative + ": committed row does not read as " + type.getSimpleName()
          + ": " + e.getMessage(), e);
    }
  }

  /** Writes one row and makes it durable before returning. */
  public void append(Object row) {
    checkOpen();
    byte[] line = Jsonl.line(row);
    try {
      ByteBuffer buf = ByteBuffer.wrap(line);
      while (buf.hasRemaining()) {
        channel.write(buf);
      }
      channel.force(false);
    } catch (IOException e) {
      throw new StoreException("cannot append to " + relative + ": " + e.getMessage(), e);
    }
    committed.add(new String(line, 0, line.length - 1, StandardCharsets.UTF_8));
  }

  /** Moves the shard into place and returns its reference; the appender is closed after. */
  public DatasetRef finish() {
    checkOpen();
    try {
      channel.force(true);
      channel.close();
      String sha = Checksums.sha256(partial);
      AtomicFiles.moveInto(partial, target);
      return DatasetRef.newBuilder().setPath(relative).setCount(committed.size()).setSha256(sha).build();
    } catch (IOException e) {
      throw new StoreException("cannot finish " + relative + ": " + e.getMessage(), e);
    } finally {
      close();
    }
  }

  /** Releases the shard without finishing it: committed rows stay for the next writer. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    closeQuietly(channel);
    try {
      lock.release();
    } catch (IOException e) {
      // Closing the channel below releases it too.
    }
    closeQuietly(lockChannel);
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException(relative + ": appender already finished or closed");
    }
  }

  private static void closeQuietly(Closeable c) {
    if (c != null) {
      try {
        c.close();
      } catch (IOException e) {
        // nothing left to do with it
      }
    }
  }
}
