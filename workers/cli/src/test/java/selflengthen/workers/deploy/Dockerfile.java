package selflengthen.workers.deploy;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The runtime stage of a Dockerfile (after its last FROM): what a container starts with. */
record Dockerfile(Path path, List<String> entrypoint, List<String> cmd, Map<String, String> env,
    List<Integer> expose, List<String> volumes, List<String> copiedTo) {
  private static final Pattern ENV_PAIR = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)=(\"([^\"]*)\"|(\\S+))");

  static Dockerfile read(Path path) throws IOException {
    List<String> instructions = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : Files.readAllLines(path)) {
      String t = line.strip();
      if (current.isEmpty() && (t.isEmpty() || t.startsWith("#"))) {
        continue;
      }
      if (t.startsWith("#")) {
        continue;
      }
      if (t.endsWith("\\")) {
        current.append(t, 0, t.length() - 1).append(' ');
        continue;
      }
      current.append(t);
      instructions.add(current.toString());
      current.setLength(0);
    }
    int lastFrom = 0;
    for (int i = 0; i < instructions.size(); i++) {
      if (instructions.get(i).startsWith("FROM ")) {
        lastFrom = i;
      }
    }
    ObjectMapper json = new ObjectMapper();
    List<String> entrypoint = List.of();
    List<String> cmd = List.of();
    Map<String, String> env = new LinkedHashMap<>();
    List<Integer> expose = new ArrayList<>();
    List<String> volumes = new ArrayList<>();
    List<String> copiedTo = new ArrayList<>();
    for (String ins : instructions.subList(lastFrom, instructions.size())) {
      String word = ins.split("\\s+", 2)[0];
      String rest = ins.substring(word.length()).strip();
      switch (word) {
        case "ENTRYPOINT" -> entrypoint = json.readValue(rest, new TypeReference<List<String>>() {});
        case "CMD" -> cmd = json.readValue(rest, new TypeReference<List<String>>() {});
        case "ENV" -> {
          Matcher m = ENV_PAIR.matcher(rest);
          while (m.find()) {
            env.put(m.group(1), m.group(3) != null ? m.group(3) : m.group(4));
          }
        }
        case "EXPOSE" -> {
          for (String p : rest.split("\\s+")) {
            expose.add(Integer.parseInt(p.replace("/tcp", "")));
          }
        }
        case "VOLUME" -> volumes.addAll(List.of(rest.split("\\s+")));
        case "COPY" -> {
          String[] parts = rest.split("\\s+");
          copiedTo.add(parts[parts.length - 1]);
        }
        default -> { }
      }
    }
    return new Dockerfile(path, entrypoint, cmd, env, expose, volumes, copiedTo);
  }
}
