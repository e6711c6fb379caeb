package selflengthen.workers.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The CUDA image asks DJL for natives that exist: its {@code PYTORCH_FLAVOR} is one of the CUDA
 * builds of the PyTorch version the pom pins, its base image carries that same CUDA version, it
 * builds the jar without the CPU natives (which DJL would otherwise load instead), and the docs
 * name the same flavour.
 */
class CudaImageTest {
  /**
   * CUDA builds PyTorch publishes per minor version (its release notes). A pom moved to a PyTorch
   * version missing here fails this test on purpose: check the new builds, then add them.
   */
  static final Map<String, List<String>> CUDA_BUILDS = Map.of(
      "2.5", List.of("cu118", "cu121", "cu124"),
      "2.6", List.of("cu118", "cu124", "cu126"),
      "2.7", List.of("cu118", "cu126", "cu128"));
  static final Pattern CU = Pattern.compile("\\bcu1\\d\\d\\b");

  @Test
  void flavourBaseImageAndDocsAgreeWithThePinnedPyTorch() throws IOException {
    Path root = RepoFiles.root();
    Matcher pinned = Pattern.compile("<pytorch\\.native\\.version>(\\d+)\\.(\\d+)\\.\\d+</pytorch\\.native\\.version>")
        .matcher(Files.readString(root.resolve("pom.xml")));
    assertTrue(pinned.find(), "pom.xml pins pytorch.native.version");
    String minor = pinned.group(1) + "." + pinned.group(2);
    List<String> builds = CUDA_BUILDS.get(minor);
    assertNotNull(builds, "CUDA builds of PyTorch " + minor + " are not listed in this test");

    Dockerfile d = Dockerfile.read(root.resolve("deploy/docker/Dockerfile.cuda"));
    String flavour = d.env().get("PYTORCH_FLAVOR");
    assertTrue(builds.contains(flavour),
        "PYTORCH_FLAVOR " + flavour + " is not a CUDA build of PyTorch " + minor + " " + builds);

    String text = Files.readString(root.resolve("deploy/docker/Dockerfile.cuda"));
    Matcher base = Pattern.compile("(?m)^FROM nvidia/cuda:(\\d+)\\.(\\d+)\\.\\d+-\\S+").matcher(text);
    assertTrue(base.find(), "the runtime stage starts FROM an nvidia/cuda image");
    assertEquals(flavour, "cu" + base.group(1) + base.group(2), "the base image's CUDA is the flavour's");
    assertTrue(text.matches("(?s).*mvn [^\\n]*package[^\\n]*-Dcuda\\b.*"),
        "the jar is built without the CPU natives (-Dcuda), or DJL loads them instead of " + flavour);
    assertEquals(Set.of(flavour), flavours(text), "Dockerfile.cuda names one flavour");

    for (String doc : List.of("model/README.md", "docs/operations.md")) {
      Path p = root.resolve(doc);
      if (Files.exists(p)) {
        Set<String> named = flavours(Files.readString(p));
        assertTrue(named.isEmpty() || named.equals(Set.of(flavour)), doc + " names " + named + ", the image " + flavour);
      }
    }
    assertTrue(flavours(Files.readString(root.resolve("model/README.md"))).contains(flavour),
        "model/README.md names the image's flavour");
  }

  static Set<String> flavours(String text) {
    Set<String> out = new TreeSet<>();
    Matcher m = CU.matcher(text);
    while (m.find()) {
      out.add(m.group());
    }
    return out;
  }
}
