package selflengthen.store;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import selflengthen.v1.DatasetRef;

/**
 * Writes a whole JSONL dataset atomically: rows go to a hidden temp file next to the target, and
 * {@link #commit} renames it into place. Until then readers see the previous file (or none); a
 * crash leaves only a temp file. Closing without commit discards the rows.
 */
public final class JsonlWriter implements Closeable {
  private final String relative;
  private final Path target;
  private final Path temp;
  private final FileOutputStream file;
  private final MessageDigest digest = Checksums.newDigest();
  private final OutputStream out;
  private long rows;
  private boolean done;

  JsonlWriter(String relative, Path target) throws IOException {
    this.relative = relative;
    this.target = target;
    Files.createDirectories(target.getParent());
    this.temp = AtomicFiles.tempFor(target);
    this.file = new FileOutputStream(temp.toFile());
    this.out = new DigestOutputStream(new BufferedOutputStream(file, 1 << 16), digest);
  }

  public String path() {
    return relative;
  }

  public long rows() {
    return rows;
  }

  public void write(Object row) {
    checkOpen();
    byte[] line = Jsonl.line(row);
    try {
      out.write(line);
    } catch (IOException e) {
      throw new StoreException("cannot write " + relative + ": " + e.getMessage(), e);
    }
    rows++;
  }

  /** Makes the dataset visible at its path and returns its reference (rows and sha256). */
  public DatasetRef commit() {
    checkOpen();
    try {
      out.flush();
      file.getFD().sync();
      out.close();
      AtomicFiles.moveInto(temp, target);
    } catch (IOException e) {
      throw new StoreException("cannot commit " + relative + ": " + e.getMessage(), e);
    } finally {
      done = true;
      deleteTemp();
    }
    return DatasetRef.newBuilder()
        .setPath(relative)
        .setCount(rows)
        .setSha256(Checksums.hex(digest))
        .build();
  }

  @Override
  public void close() {
    if (!done) {
      done = true;
      try {
        out.close();
      } catch (IOException e) {
        // The temp file is deleted below; nothing of it was ever visible.
      }
      deleteTemp();
    }
  }

  private void deleteTemp() {
    try {
      Files.deleteIfExists(temp);
    } catch (IOException e) {
      // A leftover hidden temp file is harmless: no reader looks at it.
    }
  }

  private void checkOpen() {
    if (done) {
      throw new IllegalStateException(relative + ": writer already committed or closed");
    }
  }
}
