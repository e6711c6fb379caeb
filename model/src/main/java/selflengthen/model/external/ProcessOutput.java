package selflengthen.model.external;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Drains a child's merged stdout/stderr on its own thread (a blocked read cannot be interrupted),
 * splits it into lines at {@code \n} and at tqdm's {@code \r} redraws, appends every line to the
 * log file, keeps the last lines for error messages, and hands lines to the caller through a queue
 * so listeners run on the caller's thread.
 */
final class ProcessOutput implements AutoCloseable {
  private static final String END = new String("<end of output>");

  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final Deque<String> tail = new ArrayDeque<>();
  private final int tailSize;
  private final BufferedWriter log;
  private final Thread reader;

  ProcessOutput(InputStream output, Path logFile, int tailSize, String threadName)
      throws IOException {
    this.tailSize = tailSize;
    this.log =
        Files.newBufferedWriter(
            logFile, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    this.reader = new Thread(() -> pump(output), threadName);
    reader.setDaemon(true);
    reader.start();
  }

  /** The next line, null if none arrived within the timeout, {@link #isEnd} after the last line. */
  String poll(long timeoutMillis) throws InterruptedException {
    return lines.poll(timeoutMillis, TimeUnit.MILLISECONDS);
  }

  static boolean isEnd(String line) {
    return line == END;
  }

  synchronized List<String> tail() {
    return List.copyOf(tail);
  }

  void note(String line) {
    record(line);
  }

  private void pump(InputStream output) {
    StringBuilder line = new StringBuilder();
    char[] buffer = new char[8192];
    try (Reader in = new InputStreamReader(output, StandardCharsets.UTF_8)) {
      int read;
      while ((read = in.read(buffer)) >= 0) {
        for (int i = 0; i < read; i++) {
          char c = buffer[i];
          if (c == '\n' || c == '\r') {
            emit(line);
          } else {
            line.append(c);
          }
        }
      }
    } catch (IOException closed) {
      // the child died or was killed: whatever it wrote so far has been handed on
    } finally {
      emit(line);
      lines.add(END);
    }
  }

  private void emit(StringBuilder line) {
    if (line.length() > 0 && !line.toString().isBlank()) {
      String text = line.toString();
      record(text);
      lines.add(text);
    }
    line.setLength(0);
  }

  private synchronized void record(String text) {
    tail.addLast(text);
    while (tail.size() > tailSize) {
      tail.removeFirst();
    }
    try {
      log.write(text);
      log.newLine();
      log.flush();
    } catch (IOException e) {
      // a full disk must not kill the training run; the tail still reaches the error message
    }
  }

  @Override
  public void close() throws InterruptedException {
    reader.join(TimeUnit.SECONDS.toMillis(5));
    synchronized (this) {
      try {
        log.close();
      } catch (IOException ignored) {
        // nothing left to save
      }
    }
  }
}
