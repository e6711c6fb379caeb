package selflengthen.workers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.JsonFormat;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import selflengthen.spec.SpecDefaults;
import selflengthen.spec.SpecValidator;
import selflengthen.v1.RunSpec;
import selflengthen.workers.deploy.RepoFiles;

/**
 * The run specs of the README's "External engines" section, between {@code <!-- external-spec -->}
 * markers: every field exists in spec.proto (strict parsing) and the resolved specs pass structural
 * validation, with endpoint roles and an external training command.
 */
class ReadmeExternalEnginesTest {
  static final Pattern BLOCK = Pattern.compile(
      "<!-- external-spec -->\\s*```json\\s*(.*?)```\\s*<!-- /external-spec -->", Pattern.DOTALL);

  @Test
  void theReadmeSpecsParseAndValidate() throws Exception {
    String readme = Files.readString(RepoFiles.root().resolve("README.md"));
    Matcher m = BLOCK.matcher(readme);
    List<RunSpec> specs = new ArrayList<>();
    while (m.find()) {
      RunSpec.Builder strict = RunSpec.newBuilder();
      JsonFormat.parser().merge(m.group(1), strict);
      RunSpec resolved = SpecDefaults.resolve(strict.build());
      assertTrue(SpecValidator.structuralProblems(resolved).isEmpty(),
          strict.getRunId() + ": " + SpecValidator.structuralProblems(resolved));
      specs.add(resolved);
    }
    assertEquals(2, specs.size(), "the vLLM + LLaMA-Factory spec and the serve spec");
    for (RunSpec spec : specs) {
      assertFalse(spec.getModels().getGenerator().getEndpoint().isEmpty());
      assertFalse(spec.getModels().getExtender().getEndpoint().isEmpty());
      assertTrue(spec.getTraining().getExternalCommand().contains("{config}"));
      assertTrue(spec.getModels().getJudge().getEndpoint().startsWith("http"), "the judge uses an endpoint too");
    }
  }
}
