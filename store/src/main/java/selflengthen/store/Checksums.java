package selflengthen.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/** SHA-256 of files, and of directories (adapters, checkpoints) as a hash over their files. */
public final class Checksums {
  private Checksums() {}

  public static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM has no SHA-256", e);
    }
  }

  public static String hex(MessageDigest digest) {
    return HexFormat.of().formatHex(digest.digest());
  }

  /** Hex SHA-256 of bytes in memory. */
  public static String sha256(byte[] bytes) {
    MessageDigest digest = newDigest();
    digest.update(bytes);
    return hex(digest);
  }

  /**
   * Hex SHA-256 of a file's bytes; for a directory, of the sorted lines
   * {@code <relative path> <sha256 of the file>} of every regular file under it, so renaming,
   * adding, removing or changing any file changes it.
   */
  public static String sha256(Path path) throws IOException {
    if (Files.isDirectory(path)) {
      return directory(path);
    }
    MessageDigest digest = newDigest();
    byte[] buffer = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(path)) {
      for (int n; (n = in.read(buffer)) > 0; ) {
        digest.update(buffer, 0, n);
      }
    }
    return hex(digest);
  }

  private static String directory(Path dir) throws IOException {
    List<Path> files;
    try (Stream<Path> walk = Files.walk(dir)) {
      files = walk.filter(Files::isRegularFile).sorted().toList();
    }
    MessageDigest digest = newDigest();
    for (Path file : files) {
      String line = dir.relativize(file).toString().replace('\\', '/') + " " + sha256(file) + "\n";
      digest.update(line.getBytes(StandardCharsets.UTF_8));
    }
    return hex(digest);
  }
}
