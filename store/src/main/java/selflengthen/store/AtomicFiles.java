package selflengthen.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/** Temp file + fsync + rename: readers see the old file or the whole new one, never a part. */
final class AtomicFiles {
  private AtomicFiles() {}

  /** A fresh temp file name next to {@code target} (same directory, so the rename is atomic). */
  static Path tempFor(Path target) {
    return target.resolveSibling("." + target.getFileName() + ".tmp-" + UUID.randomUUID());
  }

  static void write(Path target, byte[] bytes) throws IOException {
    Files.createDirectories(target.getParent());
    Path temp = tempFor(target);
    try {
      try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(bytes);
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        ch.force(true);
      }
      moveInto(temp, target);
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  /** Renames {@code from} onto {@code to} atomically and makes the rename durable. */
  static void moveInto(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException("the file system of " + to.getParent() + " cannot rename atomically", e);
    }
    syncDirectory(to.getParent());
  }

  /** Makes a directory's entries (a rename, a new file) durable; best effort where unsupported. */
  static void syncDirectory(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      // Some file systems refuse to open or sync directories; the rename itself is still atomic.
    }
  }
}
