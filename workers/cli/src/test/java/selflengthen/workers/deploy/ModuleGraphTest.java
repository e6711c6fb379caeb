package selflengthen.workers.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * The import graph agrees with the Maven modules (docs/modules.md): every selflengthen package a
 * source file uses belongs to its own module or to one it depends on, no package lives in two
 * modules, and neither packages nor modules form a cycle. The same check as
 * {@code tools/modules/check_imports.py}, so that the suite keeps it.
 */
class ModuleGraphTest {
  private static final Pattern REF = Pattern.compile("\\b(selflengthen(?:\\.[a-z]\\w*)+)\\.[A-Z]");
  private static final Pattern PACKAGE = Pattern.compile("(?m)^package\\s+([\\w.]+);");

  private record Module(String folder, String artifact, Set<String> mainDeps, Set<String> testDeps) {}

  @Test
  void everyImportFollowsAModuleDependencyAndNothingCycles() throws Exception {
    Path root = RepoFiles.root();
    Map<String, Module> modules = modules(root);
    Map<String, Set<String>> moduleEdges = new HashMap<>();
    modules.values().forEach(m -> moduleEdges.put(m.artifact(), m.mainDeps()));
    List<String> problems = new ArrayList<>();
    cycles(moduleEdges).forEach(c -> problems.add("module cycle: " + c));

    Map<String, Set<String>> owners = new HashMap<>();
    for (Module m : modules.values()) {
      for (Path p : sources(root, m, "main")) {
        owners.computeIfAbsent(packageOf(p), k -> new TreeSet<>()).add(m.artifact());
      }
    }
    owners.forEach((pkg, arts) -> {
      if (arts.size() > 1) {
        problems.add("package " + pkg + " is split over " + arts);
      }
    });

    Map<String, Set<String>> packageEdges = new HashMap<>();
    for (Module m : modules.values()) {
      for (String kind : List.of("main", "test")) {
        Set<String> visible = reachable(kind.equals("main") ? m.mainDeps() : m.testDeps(), moduleEdges);
        visible.add(m.artifact());
        for (Path p : sources(root, m, kind)) {
          String text = Files.readString(p);
          String own = packageOf(text);
          Matcher r = REF.matcher(text);
          Set<String> used = new TreeSet<>();
          while (r.find()) {
            used.add(r.group(1));
          }
          for (String ref : used) {
            if (ref.equals(own) || !owners.containsKey(ref)) {
              continue;
            }
            if (kind.equals("main")) {
              packageEdges.computeIfAbsent(own, k -> new HashSet<>()).add(ref);
            }
            if (owners.get(ref).stream().noneMatch(visible::contains)) {
              problems.add(root.relativize(p) + " uses " + ref + " " + owners.get(ref) + ", which "
                  + m.artifact() + " does not depend on");
            }
          }
        }
      }
    }
    cycles(packageEdges).forEach(c -> problems.add("package cycle: " + c));
    assertTrue(modules.size() >= 13, "modules found: " + modules.keySet());
    assertEquals(List.of(), problems);
  }

  private static Map<String, Module> modules(Path root) throws Exception {
    Map<String, Module> out = new LinkedHashMap<>();
    Element top = pom(root.resolve("pom.xml"));
    for (Element folder : children(child(top, "modules"), "module")) {
      Element pom = pom(root.resolve(folder.getTextContent().trim()).resolve("pom.xml"));
      Set<String> main = new TreeSet<>();
      Set<String> test = new TreeSet<>();
      Element deps = child(pom, "dependencies");
      for (Element d : deps == null ? List.<Element>of() : children(deps, "dependency")) {
        String artifact = child(d, "artifactId").getTextContent().trim();
        if (!artifact.startsWith("selflengthen-")) {
          continue;
        }
        Element scope = child(d, "scope");
        test.add(artifact);
        if (scope == null || !scope.getTextContent().trim().equals("test")) {
          main.add(artifact);
        }
      }
      String artifact = child(pom, "artifactId").getTextContent().trim();
      out.put(artifact, new Module(folder.getTextContent().trim(), artifact, main, test));
    }
    return out;
  }

  private static Element pom(Path file) throws Exception {
    return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(file.toFile()).getDocumentElement();
  }

  private static Element child(Element parent, String name) {
    List<Element> all = children(parent, name);
    return all.isEmpty() ? null : all.get(0);
  }

  private static List<Element> children(Element parent, String name) {
    List<Element> out = new ArrayList<>();
    NodeList nodes = parent.getChildNodes();
    for (int i = 0; i < nodes.getLength(); i++) {
      Node n = nodes.item(i);
      if (n instanceof Element e && e.getTagName().equals(name)) {
        out.add(e);
      }
    }
    return out;
  }

  private static List<Path> sources(Path root, Module m, String kind) throws IOException {
    Path dir = root.resolve(m.folder()).resolve("src").resolve(kind).resolve("java");
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(p -> p.toString().endsWith(".java")).sorted().toList();
    }
  }

  private static String packageOf(Path file) throws IOException {
    return packageOf(Files.readString(file));
  }

  private static String packageOf(String text) {
    Matcher m = PACKAGE.matcher(text);
    return m.find() ? m.group(1) : "";
  }

  private static Set<String> reachable(Set<String> start, Map<String, Set<String>> edges) {
    Set<String> seen = new HashSet<>();
    Deque<String> todo = new ArrayDeque<>(start);
    while (!todo.isEmpty()) {
      String a = todo.pop();
      if (seen.add(a)) {
        todo.addAll(edges.getOrDefault(a, Set.of()));
      }
    }
    return seen;
  }

  /** Every set of two or more nodes that reach each other, as sorted names. */
  private static List<Set<String>> cycles(Map<String, Set<String>> edges) {
    List<Set<String>> out = new ArrayList<>();
    Set<String> done = new HashSet<>();
    for (String a : new TreeSet<>(edges.keySet())) {
      if (done.contains(a)) {
        continue;
      }
      Set<String> fromA = reachable(edges.getOrDefault(a, Set.of()), edges);
      if (!fromA.contains(a)) {
        continue;
      }
      Set<String> component = new TreeSet<>();
      for (String b : fromA) {
        if (reachable(edges.getOrDefault(b, Set.of()), edges).contains(a)) {
          component.add(b);
        }
      }
      done.addAll(component);
      out.add(component);
    }
    return out;
  }
}
