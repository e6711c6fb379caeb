package selflengthen.workers.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;
import selflengthen.workers.cli.Main;
import selflengthen.workers.cli.CodecServerCommand;
import selflengthen.workers.cli.MetricsOptions;
import selflengthen.workflows.TaskQueues;

/**
 * docker-compose.yml, deploy/k8s/*.yaml and the Dockerfiles agree with the CLI they run: every
 * command and option parses with the real {@code worker} command, every SELFLENGTHEN_* variable is
 * one an option reads (and its value converts), queues resolve, the metrics and Temporal ports and
 * the data-root mount line up, and every port published on a host binds 127.0.0.1.
 */
class DeploymentFilesTest {
  static final Pattern ENV_REFERENCE = Pattern.compile("\\$\\{env:([A-Z0-9_]+)");
  static final int TEMPORAL_PORT = 7233;
  static final String ENCRYPTION_OVERLAY = "deploy/docker/encryption.yml";
  /** Image name (as built in the Dockerfiles' comments) -> Dockerfile. */
  static final Map<String, String> IMAGES = Map.of(
      "selflengthen-worker", "deploy/docker/Dockerfile.worker",
      "selflengthen-worker-cuda", "deploy/docker/Dockerfile.cuda");

  /** One worker container as a deployment file defines it, its image's defaults applied. */
  record Container(String where, String image, List<String> args, Map<String, String> env,
      Set<String> mounts, Map<String, Integer> ports) {}

  static Path root;
  static ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
  static Map<String, OptionSpec> optionsByEnv = new HashMap<>();
  static Map<String, Dockerfile> dockerfiles = new LinkedHashMap<>();
  static List<Container> containers = new ArrayList<>();
  static JsonNode compose;
  /** deploy/docker/encryption.yml, the overlay that turns payload encryption on. */
  static JsonNode encryptionOverlay;
  /** Compose services running {@code codec-server}, by service name (their own environment only). */
  static Map<String, Container> codecServices = new LinkedHashMap<>();
  static List<JsonNode> k8s = new ArrayList<>();

  @BeforeAll
  static void read() throws IOException {
    root = RepoFiles.root();
    for (OptionSpec o : workerCommand().getCommandSpec().options()) {
      if (o.userObject() instanceof Field f && f.getAnnotation(CommandLine.Option.class) != null) {
        Matcher m = ENV_REFERENCE.matcher(f.getAnnotation(CommandLine.Option.class).defaultValue());
        while (m.find()) {
          optionsByEnv.put(m.group(1), o);
        }
      }
    }
    for (Map.Entry<String, String> e : IMAGES.entrySet()) {
      dockerfiles.put(e.getKey(), Dockerfile.read(root.resolve(e.getValue())));
    }
    compose = yaml.readTree(root.resolve("docker-compose.yml").toFile());
    encryptionOverlay = yaml.readTree(root.resolve(ENCRYPTION_OVERLAY).toFile());
    try (Stream<Path> files = Files.list(root.resolve("deploy/k8s"))) {
      for (Path p : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
        k8s.addAll(yaml.readerFor(JsonNode.class).<JsonNode>readValues(p.toFile()).readAll());
      }
    }
    composeContainers();
    k8sContainers();
  }

  static CommandLine workerCommand() {
    return Main.commandLine(() -> (q, w, c) -> {}).getSubcommands().get("worker");
  }

  static String imageName(String image) {
    String name = image.contains(":") ? image.substring(0, image.lastIndexOf(':')) : image;
    assertTrue(IMAGES.containsKey(name), "unknown image " + image);
    return name;
  }

  static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  static void composeContainers() {
    compose.get("services").fields().forEachRemaining(e -> {
      JsonNode s = e.getValue();
      if (!s.has("image") || !s.get("image").asText().startsWith("selflengthen-worker")) {
        return;
      }
      String image = imageName(s.get("image").asText());
      Dockerfile d = dockerfiles.get(image);
      boolean codec = s.has("command") && s.get("command").path(0).asText().equals("codec-server");
      Map<String, String> env = new LinkedHashMap<>(codec ? Map.of() : d.env());
      if (s.has("environment")) {
        s.get("environment").fields().forEachRemaining(v -> env.put(v.getKey(), v.getValue().asText()));
      }
      Set<String> mounts = new LinkedHashSet<>();
      if (s.has("volumes")) {
        s.get("volumes").forEach(v -> mounts.add(v.asText().split(":")[1]));
      }
      Map<String, Integer> ports = new LinkedHashMap<>();
      if (s.has("ports")) {
        s.get("ports").forEach(p -> {
          String[] parts = p.asText().split(":");
          ports.put(p.asText(), Integer.parseInt(parts[parts.length - 1]));
        });
      }
      assertTrue(s.has("command"), "compose " + e.getKey() + " names its command");
      Container c = new Container("docker-compose.yml " + e.getKey(), image, strings(s.get("command")), env,
          mounts, ports);
      if (c.args().get(0).equals("codec-server")) {
        codecServices.put(e.getKey(), c);
      } else {
        containers.add(c);
      }
    });
  }

  static Map<String, String> configMap(String name) {
    for (JsonNode doc : k8s) {
      if (doc.path("kind").asText().equals("ConfigMap") && doc.path("metadata").path("name").asText().equals(name)) {
        Map<String, String> data = new LinkedHashMap<>();
        doc.get("data").fields().forEachRemaining(v -> data.put(v.getKey(), v.getValue().asText()));
        return data;
      }
    }
    fail("no ConfigMap " + name + " in deploy/k8s");
    return null;
  }

  static void k8sContainers() {
    for (JsonNode doc : k8s) {
      if (!doc.path("kind").asText().equals("Deployment")) {
        continue;
      }
      JsonNode pod = doc.get("spec").get("template");
      assertFalse(pod.get("spec").path("hostNetwork").asBoolean(false), "hostNetwork publishes every port");
      for (JsonNode c : pod.get("spec").get("containers")) {
        String where = "deploy/k8s " + doc.get("metadata").get("name").asText() + "/" + c.get("name").asText();
        String image = imageName(c.get("image").asText());
        Dockerfile d = dockerfiles.get(image);
        assertFalse(c.has("command"), where + ": 'command' would replace the image's entrypoint");
        Map<String, String> env = new LinkedHashMap<>(d.env());
        c.path("envFrom").forEach(f -> env.putAll(configMap(f.get("configMapRef").get("name").asText())));
        c.path("env").forEach(v -> env.put(v.get("name").asText(), v.get("value").asText()));
        Set<String> mounts = new LinkedHashSet<>();
        c.path("volumeMounts").forEach(m -> mounts.add(m.get("mountPath").asText()));
        Map<String, Integer> ports = new LinkedHashMap<>();
        c.path("ports").forEach(p -> {
          assertFalse(p.has("hostPort"), where + ": a hostPort publishes on every interface of the node");
          ports.put(p.path("name").asText(), p.get("containerPort").asInt());
        });
        List<String> args = c.has("args") ? strings(c.get("args")) : d.cmd();
        containers.add(new Container(where, image, args, env, mounts, ports));
        String annotated = pod.path("metadata").path("annotations").path("prometheus.io/port").asText(null);
        if (annotated != null) {
          assertEquals(String.valueOf(ports.get("metrics")), annotated, where + ": scrape annotation vs metrics port");
        }
        int grace = pod.get("spec").path("terminationGracePeriodSeconds").asInt(30);
        int drain = args.contains("--grace-seconds")
            ? Integer.parseInt(args.get(args.indexOf("--grace-seconds") + 1)) : 30;
        assertTrue(drain < grace, where + ": --grace-seconds " + drain + " must end before Kubernetes kills the pod ("
            + grace + " s)");
      }
    }
  }

  /** Parses with the real CLI; fails the test with picocli's message on an unknown option or bad value. */
  static ParseResult parse(String where, List<String> args) {
    try {
      return Main.commandLine(() -> (q, w, c) -> {}).parseArgs(args.toArray(new String[0]));
    } catch (CommandLine.ParameterException e) {
      fail(where + ": " + args + " does not parse: " + e.getMessage());
      return null;
    }
  }

  static void checkQueues(String where, String value) {
    for (String q : value.split(",")) {
      try {
        TaskQueues.resolve(q);
      } catch (IllegalArgumentException e) {
        fail(where + ": " + e.getMessage());
      }
    }
  }

  @Test
  void theFilesWereFound() {
    assertEquals(2, containers.stream().filter(c -> c.where().startsWith("docker-compose")).count());
    assertEquals(Set.of("codec-server"), codecServices.keySet());
    assertEquals(3, containers.stream().filter(c -> c.where().startsWith("deploy/k8s")).count());
    assertTrue(optionsByEnv.keySet().containsAll(List.of("SELFLENGTHEN_ADDRESS", "SELFLENGTHEN_QUEUES",
        "SELFLENGTHEN_METRICS_PORT", "SELFLENGTHEN_TLS_CERT", "SELFLENGTHEN_API_KEY_FILE")), optionsByEnv.keySet().toString());
  }

  @Test
  void everyWorkerCommandLineParsesWithTheRealCli() {
    for (Container c : containers) {
      ParseResult r = parse(c.where(), c.args());
      assertNotNull(r.subcommand(), c.where() + ": " + c.args() + " names no command");
      assertEquals("worker", r.subcommand().commandSpec().name(), c.where());
      if (r.subcommand().hasMatchedOption("--queues")) {
        List<String> queues = r.subcommand().matchedOptionValue("--queues", List.of());
        queues.forEach(q -> checkQueues(c.where(), q));
      }
    }
  }

  @Test
  void theDockerfilesStartTheJarWithARealCommand() {
    for (Dockerfile d : dockerfiles.values()) {
      String where = root.relativize(d.path()).toString();
      assertEquals(List.of("java", "-jar", "/app/selflengthen.jar"), d.entrypoint(), where);
      assertTrue(d.copiedTo().contains("/app/selflengthen.jar"), where + " copies the jar it runs");
      ParseResult r = parse(where + " CMD", d.cmd());
      assertEquals("worker", r.subcommand().commandSpec().name(), where);
      if (r.subcommand().hasMatchedOption("--queues")) {
        List<String> queues = r.subcommand().matchedOptionValue("--queues", List.of());
        queues.forEach(q -> checkQueues(where, q));
      }
      assertNotNull(d.env().get("SELFLENGTHEN_METRICS_PORT"), where + ": the image turns the metrics endpoint on");
      assertEquals(List.of(Integer.parseInt(d.env().get("SELFLENGTHEN_METRICS_PORT"))), d.expose(),
          where + ": EXPOSE is the metrics port");
      assertTrue(d.volumes().contains(d.env().get("SELFLENGTHEN_DATA_ROOT")), where + ": the data root is a VOLUME");
    }
  }

  @Test
  void everySelflengthenVariableIsOneAWorkerOptionReadsWithAValueItAccepts() {
    Map<String, Map<String, String>> sources = new LinkedHashMap<>();
    dockerfiles.forEach((image, d) -> sources.put(root.relativize(d.path()).toString(), d.env()));
    containers.forEach(c -> sources.put(c.where(), c.env()));
    int checked = 0;
    for (Map.Entry<String, Map<String, String>> s : sources.entrySet()) {
      for (Map.Entry<String, String> v : s.getValue().entrySet()) {
        if (!v.getKey().startsWith("SELFLENGTHEN_")) {
          continue;
        }
        OptionSpec option = optionsByEnv.get(v.getKey());
        assertNotNull(option, s.getKey() + ": no option of 'worker' reads " + v.getKey());
        parse(s.getKey() + " " + v.getKey(), List.of("worker", option.longestName(), v.getValue()));
        if (option.longestName().equals("--queues")) {
          checkQueues(s.getKey(), v.getValue());
        }
        checked++;
      }
    }
    assertTrue(checked > 20, "variables checked: " + checked);
  }

  @Test
  void metricsPortsTemporalAddressAndDataRootLineUp() {
    for (Container c : containers) {
      int metrics = Integer.parseInt(c.env().getOrDefault("SELFLENGTHEN_METRICS_PORT", "0"));
      assertEquals(MetricsOptions.CONVENTIONAL_PORT, metrics, c.where() + ": metrics port");
      assertEquals("0.0.0.0", c.env().get("SELFLENGTHEN_METRICS_HOST"),
          c.where() + ": inside a container the endpoint must listen beyond its loopback to be scraped");
      for (Map.Entry<String, Integer> p : c.ports().entrySet()) {
        assertEquals(metrics, p.getValue(), c.where() + ": port " + p.getKey() + " is not the metrics port");
      }
      String address = c.env().get("SELFLENGTHEN_ADDRESS");
      assertNotNull(address, c.where() + " sets the Temporal address");
      assertEquals(TEMPORAL_PORT, Integer.parseInt(address.substring(address.lastIndexOf(':') + 1)), c.where());
      String dataRoot = c.env().get("SELFLENGTHEN_DATA_ROOT");
      assertTrue(c.mounts().contains(dataRoot), c.where() + ": data root " + dataRoot + " is not a mount " + c.mounts());
    }
    Container control = containers.stream().filter(c -> c.where().endsWith("control-worker")).findFirst().orElseThrow();
    assertEquals(Map.of("127.0.0.1:9464:9464", 9464), control.ports());
  }

  @Test
  void composeWorkersReachTheComposeTemporalAndEveryPublishedPortIsLoopback() {
    JsonNode services = compose.get("services");
    for (Container c : containers) {
      if (c.where().startsWith("docker-compose")) {
        String host = c.env().get("SELFLENGTHEN_ADDRESS").split(":")[0];
        assertTrue(services.has(host), c.where() + ": no service " + host);
        assertTrue(strings(services.get(host).get("ports")).contains("127.0.0.1:" + TEMPORAL_PORT + ":" + TEMPORAL_PORT));
      }
    }
    int published = 0;
    for (var it = services.fields(); it.hasNext(); ) {
      var s = it.next();
      for (String port : s.getValue().has("ports") ? strings(s.getValue().get("ports")) : List.<String>of()) {
        assertTrue(port.startsWith("127.0.0.1:"), "docker-compose.yml " + s.getKey() + " publishes " + port
            + " beyond the host's loopback");
        published++;
      }
    }
    assertEquals(4, published, "temporal, temporal-ui, the control worker's metrics and the codec server");
  }

  static int hostPort(JsonNode service, int containerPort) {
    for (String p : strings(service.get("ports"))) {
      String[] parts = p.split(":");
      if (Integer.parseInt(parts[parts.length - 1]) == containerPort) {
        assertEquals(3, parts.length, p + " names its host address");
        assertEquals("127.0.0.1", parts[0], p);
        return Integer.parseInt(parts[1]);
      }
    }
    fail(service + " does not publish " + containerPort);
    return -1;
  }

  @Test
  void theComposeCodecServerParsesWithTheRealCliAndIsWhereTheWebUiLooks() {
    Container codec = codecServices.get("codec-server");
    JsonNode service = compose.get("services").get("codec-server");
    ParseResult r = parse(codec.where(), codec.args());
    ParseResult sub = r.subcommand();
    assertEquals("codec-server", sub.commandSpec().name());
    int port = sub.matchedOptionValue("--port", -1);
    assertEquals(CodecServerCommand.DEFAULT_PORT, port, "compose and the docs use the CLI's default port");
    assertEquals(List.of(port), List.copyOf(codec.ports().values()), codec.where() + " publishes its --port");
    assertEquals("0.0.0.0", sub.matchedOptionValue("--host", "127.0.0.1"),
        "inside its container it must listen beyond its loopback to be published");
    int published = hostPort(service, port);
    assertTrue(strings(service.get("profiles")).contains("encryption"), "only with payload encryption");

    // The browser's origin is the Web UI as the host publishes it; the UI calls the codec server there.
    JsonNode ui = compose.get("services").get("temporal-ui");
    String uiOrigin = "http://127.0.0.1:" + hostPort(ui, 8080);
    List<String> origins = sub.matchedOptionValue("--allow-origin", List.of());
    assertTrue(origins.contains(uiOrigin), origins + " lacks the Web UI's origin " + uiOrigin);
    String defaults = sub.commandSpec().findOption("--allow-origin").defaultValue();
    assertTrue(List.of(defaults.split(",")).contains(uiOrigin), "the CLI's default origins " + defaults
        + " include the compose Web UI's");
    JsonNode overlay = encryptionOverlay.get("services");
    assertEquals("http://127.0.0.1:" + published,
        overlay.get("temporal-ui").get("environment").get("TEMPORAL_CODEC_ENDPOINT").asText());
    assertEquals("http://codec-server:" + port,
        overlay.get("temporal-admin-tools").get("environment").get("TEMPORAL_CODEC_ENDPOINT").asText());
  }

  @Test
  void theCodecServerAndEveryWorkerReadTheSameKeyUnderEncryption() {
    Container codec = codecServices.get("codec-server");
    CommandLine codecCommand = Main.commandLine(() -> (q, w, c) -> {}).getSubcommands().get("codec-server");
    Map<String, OptionSpec> codecOptionsByEnv = new HashMap<>();
    for (OptionSpec o : codecCommand.getCommandSpec().options()) {
      if (o.userObject() instanceof Field f && f.getAnnotation(CommandLine.Option.class) != null) {
        Matcher m = ENV_REFERENCE.matcher(f.getAnnotation(CommandLine.Option.class).defaultValue());
        while (m.find()) {
          codecOptionsByEnv.put(m.group(1), o);
        }
      }
    }
    for (Map.Entry<String, String> v : codec.env().entrySet()) {
      OptionSpec option = codecOptionsByEnv.get(v.getKey());
      assertNotNull(option, codec.where() + ": no option of 'codec-server' reads " + v.getKey());
      parse(codec.where() + " " + v.getKey(), List.of("codec-server", option.longestName(), v.getValue()));
    }
    String keyFile = codec.env().get("SELFLENGTHEN_ENCRYPTION_KEY_FILE");
    assertNotNull(keyFile, codec.where() + " reads the payload key from a file");
    String secret = keyFile.substring("/run/secrets/".length());
    assertEquals("/run/secrets/" + secret, keyFile, "a compose secret");
    assertTrue(strings(compose.get("services").get("codec-server").get("secrets")).contains(secret));
    assertTrue(compose.get("secrets").has(secret), "secret " + secret + " is defined");

    JsonNode overlay = encryptionOverlay.get("services");
    int workers = 0;
    for (Container c : containers) {
      if (!c.where().startsWith("docker-compose")) {
        continue;
      }
      String name = c.where().substring("docker-compose.yml ".length());
      JsonNode s = overlay.get(name);
      assertNotNull(s, ENCRYPTION_OVERLAY + " gives " + name + " the key");
      assertEquals(keyFile, s.get("environment").get("SELFLENGTHEN_ENCRYPTION_KEY_FILE").asText(), name);
      assertTrue(strings(s.get("secrets")).contains(secret), name + " mounts the key");
      s.get("environment").fields().forEachRemaining(v -> {
        assertNotNull(optionsByEnv.get(v.getKey()), ENCRYPTION_OVERLAY + " " + name + ": no worker option reads "
            + v.getKey());
        parse(ENCRYPTION_OVERLAY + " " + name, List.of("worker", optionsByEnv.get(v.getKey()).longestName(),
            v.getValue().asText()));
      });
      workers++;
    }
    assertEquals(2, workers);
    for (var it = overlay.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      assertTrue(compose.get("services").has(name), ENCRYPTION_OVERLAY + " names unknown service " + name);
    }
  }
}
