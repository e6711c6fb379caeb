package selflengthen.workers.security;

import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Keeps credentials out of logs whatever the log configuration: gRPC's HTTP/2 frame logger prints
 * every request header at DEBUG, the API key's {@code authorization: Bearer} header too. Its
 * loggers are pinned to INFO (logback is the project's backend; with another one, nothing changes
 * here and its own configuration must do the same).
 */
public final class SecretSafeLogging {
  static final List<String> HEADER_LOGGERS = List.of(
      "io.grpc.netty.shaded.io.grpc.netty.NettyClientHandler",
      "io.grpc.netty.shaded.io.grpc.netty.NettyServerHandler");

  private SecretSafeLogging() {}

  public static void apply() {
    for (String name : HEADER_LOGGERS) {
      if (LoggerFactory.getLogger(name) instanceof ch.qos.logback.classic.Logger logger) {
        logger.setLevel(ch.qos.logback.classic.Level.INFO);
      }
    }
  }
}
