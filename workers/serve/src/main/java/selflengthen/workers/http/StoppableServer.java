package selflengthen.workers.http;

import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;

/** An HTTP server the CLI runs in the foreground: `serve`, `codec-server`. */
public interface StoppableServer extends AutoCloseable {
  /** Stops accepting, gives running exchanges up to {@code grace}; idempotent. */
  void stop(Duration grace);

  /** Blocks until {@link #stop} has run. */
  void awaitStop() throws InterruptedException;

  /** Stops at once. */
  @Override
  default void close() {
    stop(Duration.ZERO);
  }

  /** http://host:port of a bound address, IPv6 hosts bracketed and without their zone. */
  static URI root(InetSocketAddress address) {
    String host = address.getAddress().getHostAddress();
    if (address.getAddress() instanceof Inet6Address) {
      host = "[" + host.replaceFirst("%.*$", "") + "]";
    }
    return URI.create("http://" + host + ":" + address.getPort());
  }
}
