package selflengthen.workers.http;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * Creates the JDK's {@link HttpServer} with limits against slow or idle clients. The JDK server
 * reads a request's line, headers and body on a pool thread and, unless told otherwise, waits for
 * them forever: a few dozen clients sending a byte now and then hold every thread. Its limits are
 * JVM-wide system properties read once, when the first server of the process is created, so every
 * server of this project is created here and sets them first (a value given on the command line
 * with -D wins):
 *
 * <ul>
 *   <li>{@code sun.net.httpserver.maxReqTime} = {@value #MAX_REQUEST_SECONDS} s: the longest a
 *       client may take to send its request line, headers and body (the JDK closes the connection
 *       then; checked every {@code sun.net.httpserver.timerMillis}, 1 s);
 *   <li>{@code sun.net.httpserver.idleInterval} = {@value #IDLE_SECONDS} s: an idle keep-alive
 *       connection is closed after this long;
 *   <li>{@code sun.net.httpserver.maxReqHeaders} = {@value #MAX_HEADERS} header lines;
 *   <li>{@code sun.net.httpserver.nodelay} = true: headers and body go out without waiting for the
 *       client's delayed ACK (about 40 ms per request with Nagle on).
 * </ul>
 *
 * Responses get no time limit (a long generation or stream is not a slow client).
 */
public final class JdkHttpServers {
  public static final int MAX_REQUEST_SECONDS = 30;
  public static final int IDLE_SECONDS = 30;
  public static final int MAX_HEADERS = 100;

  static {
    setIfAbsent("sun.net.httpserver.maxReqTime", String.valueOf(MAX_REQUEST_SECONDS));
    setIfAbsent("sun.net.httpserver.idleInterval", String.valueOf(IDLE_SECONDS));
    setIfAbsent("sun.net.httpserver.maxReqHeaders", String.valueOf(MAX_HEADERS));
    setIfAbsent("sun.net.httpserver.nodelay", "true");
  }

  private JdkHttpServers() {}

  /** A bound, not yet started server with the limits above. */
  public static HttpServer create(InetSocketAddress address, int backlog) throws IOException {
    return HttpServer.create(address, backlog);
  }

  /** The request read limit in force, in seconds (-1: none), as the JDK will read it. */
  public static long maxRequestSeconds() {
    return Long.getLong("sun.net.httpserver.maxReqTime", -1);
  }

  private static void setIfAbsent(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }
}
