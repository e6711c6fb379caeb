package selflengthen.workers.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `bench model --inference-only` on the tiny preset: the JSON a comparison script reads. */
@Tag("integration")
class BenchModelCommandTest {
  @TempDir Path dir;

  @Test
  void inferenceOnlyPrintsCeilingPrefillAndDecodeFigures() throws Exception {
    ModelCommandsTest.Run r = ModelCommandsTest.run(new BenchModelCommand(), "--preset", "tiny",
        "--inference-only", "--threads", "1", "--work-dir", dir.toString());
    assertEquals(0, r.code(), r.err());
    JsonNode out = new ObjectMapper().readTree(r.out());
    assertEquals("tiny", out.get("preset").asText());
    assertEquals(1, out.get("threads").asInt());
    assertTrue(out.get("matmul_gflops_fp32").asDouble() > 0);
    JsonNode prefill = out.get("prefill");
    assertEquals(4 * 256, prefill.get("tokens").asInt(), "4 prompts of 256 tokens");
    // one when the 4 submissions arrive within the burst window (GenerationTest checks that);
    // a stalled submitting thread on a busy machine can split them
    int forwards = prefill.get("most_forwards_per_run").asInt();
    assertTrue(forwards >= 1 && forwards <= 4, "prefill forwards per run: " + forwards);
    assertTrue(prefill.get("tokens_per_s").asDouble() > 0);
    JsonNode decode = out.get("decode");
    assertEquals(3, decode.size());
    int[] batches = {1, 8, 32};
    for (int i = 0; i < 3; i++) {
      JsonNode d = decode.get(i);
      assertEquals(batches[i], d.get("batch").asInt());
      int steps = d.get("steps").asInt();
      // 96 new tokens: 95 steps after a shared prefill, a few more if admission was split
      assertTrue(steps >= 95 && steps <= 100, "decode steps " + steps);
      assertTrue(d.get("tokens_per_s").asDouble() > 0);
      assertTrue(d.get("mfu").asDouble() > 0 && d.get("mfu").asDouble() < 1, d.toString());
    }
    assertFalse(out.has("training"), "--inference-only skips training");
    assertFalse(out.has("rss_stream"), "--inference-only skips the memory stream");
    assertTrue(Files.isRegularFile(dir.resolve("tiny/model.safetensors")), "the checkpoint stays");
    assertEquals("float32", out.get("linear_precision").asText());
    assertTrue(out.get("blas").asText().startsWith("MKL"), out.get("blas").asText());
    assertEquals("oneDNN float32 (packed weights), layers fused in TorchScript",
        out.get("projections").asText());
  }

  @Test
  void bf16RunsTheProjectionsInBfloat16() throws Exception {
    ModelCommandsTest.Run r = ModelCommandsTest.run(new BenchModelCommand(), "--preset", "tiny",
        "--inference-only", "--bf16", "--threads", "1", "--work-dir", dir.toString());
    assertEquals(0, r.code(), r.err());
    JsonNode out = new ObjectMapper().readTree(r.out());
    assertEquals("bfloat16", out.get("linear_precision").asText());
    assertEquals("oneDNN bfloat16 (packed weights), layers fused in TorchScript",
        out.get("projections").asText());
    JsonNode decode = out.get("decode");
    assertEquals(3, decode.size());
    for (JsonNode d : decode) {
      assertTrue(d.get("tokens_per_s").asDouble() > 0, d.toString());
    }
  }
}
