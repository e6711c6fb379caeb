package selflengthen.workers;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.JsonFormat;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * The documented external-engine run specs (docs/operations.md "External engines", or wherever
 * README.md or docs/ carry them), between {@code <!-- external-spec -->} markers: every field exists in spec.proto (strict parsing) and the resolved specs pass structural
 * validation, with endpoint roles and an external training command.
 */
class ReadmeExternalEnginesTest {
  static final Pattern BLOCK = Pattern.compile(
      "<!-- external-spec -->\\s*```json\\s*(.*?)```\\s*<!-- /external-spec -->", Pattern.DOTALL);

  @Test
  void theReadmeSpecsParseAndValidate() throws Exception {
    List<RunSpec> specs = new ArrayList<>();
    for (Path doc : RepoFiles.docs()) {
      Matcher m = BLOCK.matcher(Files.readString(doc));
      while (m.find()) {
        RunSpec.Builder strict = RunSpec.newBuilder();
        JsonFormat.parser().merge(m.group(1), strict);
        RunSpec resolved = SpecDefaults.resolve(strict.build());
        assertTrue(SpecValidator.structuralProblems(resolved).isEmpty(),
            strict.getRunId() + ": " + SpecValidator.structuralProblems(resolved));
        specs.add(resolved);
      }
    }
    assertTrue(specs.size() >= 2, "the vLLM + LLaMA-Factory spec and the serve spec: " + specs.size());
    for (RunSpec spec : specs) {
      assertFalse(spec.getModels().getGenerator().getEndpoint().isEmpty());
      assertFalse(spec.getModels().getExtender().getEndpoint().isEmpty());
      assertTrue(spec.getTraining().getExternalCommand().contains("{config}"));
      assertTrue(spec.getModels().getJudge().getEndpoint().startsWith("http"), "the judge uses an endpoint too");
    }
  }
}
