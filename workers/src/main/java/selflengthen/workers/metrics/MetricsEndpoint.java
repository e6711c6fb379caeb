package selflengthen.workers.metrics;

import selflengthen.workers.http.JdkHttpServers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.uber.m3.tally.RootScopeBuilder;
import com.uber.m3.tally.Scope;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.temporal.common.reporter.MicrometerClientStatsReporter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * A Prometheus endpoint ({@code GET /metrics}, JDK HTTP server) for one worker process: the
 * Temporal SDK's metrics (through {@link #temporalScope()}, to be set on the service stubs) and the
 * project's own ({@link WorkerMetrics#global()}).
 */
public final class MetricsEndpoint implements AutoCloseable {
  /** Temporal's SDK reports its tally metrics this often. */
  private static final com.uber.m3.util.Duration REPORT_EVERY = com.uber.m3.util.Duration.ofSeconds(1);

  private final PrometheusMeterRegistry registry;
  private final HttpServer server;
  private final Scope scope;
  private final CompositeMeterRegistry global;

  private MetricsEndpoint(PrometheusMeterRegistry registry, HttpServer server, Scope scope,
      CompositeMeterRegistry global) {
    this.registry = registry;
    this.server = server;
    this.scope = scope;
    this.global = global;
  }

  /** Serves on {@code host:port} (port 0 picks a free one). */
  public static MetricsEndpoint start(String host, int port) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    HttpServer server;
    try {
      server = JdkHttpServers.create(new InetSocketAddress(host, port), 0);
    } catch (IOException e) {
      registry.close();
      throw new UncheckedIOException("metrics: cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
    }
    server.createContext("/metrics", exchange -> serve(exchange, registry));
    server.setExecutor(Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "selflengthen-metrics");
      t.setDaemon(true);
      return t;
    }));
    server.start();
    Scope scope = new RootScopeBuilder()
        .reporter(new MicrometerClientStatsReporter(registry))
        .reportEvery(REPORT_EVERY);
    CompositeMeterRegistry global = (CompositeMeterRegistry) WorkerMetrics.global().registry();
    global.add(registry);
    return new MetricsEndpoint(registry, server, scope, global);
  }

  private static void serve(HttpExchange exchange, PrometheusMeterRegistry registry) throws IOException {
    try (exchange) {
      if (!exchange.getRequestMethod().equals("GET")) {
        exchange.sendResponseHeaders(405, -1);
        return;
      }
      byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  /** For {@code WorkflowServiceStubsOptions.setMetricsScope}: the SDK's metrics land here. */
  public Scope temporalScope() {
    return scope;
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  public String url() {
    return "http://" + server.getAddress().getHostString() + ":" + port() + "/metrics";
  }

  @Override
  public void close() {
    global.remove(registry);
    try {
      scope.close();
    } catch (com.uber.m3.tally.ScopeCloseException | RuntimeException e) {
      // The last report may fail on shutdown; nothing to keep.
    }
    server.stop(0);
    registry.close();
  }
}
