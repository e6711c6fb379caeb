package selflengthen.model.lora;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import selflengthen.model.config.Checkpoint;
import selflengthen.model.engine.Djl;
import selflengthen.model.config.EngineOptions;
import selflengthen.model.Models;
import selflengthen.model.TinyModels;
import selflengthen.model.api.GenerationRequest;
import selflengthen.model.api.SamplingParams;
import selflengthen.model.generate.DjlLanguageModel;
import selflengthen.model.generate.GenerationOptions;
import selflengthen.model.generate.GenerationOutput;

class LoraTest {
  @TempDir Path dir;

  @Test
  void freshAdapterWithZeroBLeavesOutputsUnchanged() throws Exception {
    Djl.engine();
    Checkpoint c = Checkpoint.read(TinyModels.tiny());
    Path adapter = dir.resolve("zero");
    try (NDManager m = NDManager.newBaseManager();
        LoraWeights w = LoraWeights.init(c.config(), new LoraConfig(4, 8f, 0.1f,
            List.of("q_proj", "v_proj", "down_proj"), false), 5L, m)) {
      w.save(adapter, TinyModels.tiny().toString());
    }
    var json = new ObjectMapper().readTree(adapter.resolve("adapter_config.json").toFile());
    assertEquals("LORA", json.get("peft_type").asText());
    assertEquals(4, json.get("r").asInt());
    assertEquals("[\"q_proj\",\"v_proj\",\"down_proj\"]", json.get("target_modules").toString());
    try (DjlLanguageModel model = Models.open(TinyModels.tiny(),
        EngineOptions.defaults().withMaxBatchSize(2).withMaxSequenceLength(96))) {
      String prompt = "The river cuts a small channel";
      GenerationOptions logprobs = new GenerationOptions(4, true);
      GenerationOutput base = model.generate(new GenerationRequest(prompt, "",
          SamplingParams.greedy(), 8, List.of(), null), logprobs);
      GenerationOutput adapted = model.generate(new GenerationRequest(prompt, "",
          SamplingParams.greedy(), 8, List.of(), adapter.toString()), logprobs);
      assertArrayEquals(base.tokenIds(), adapted.tokenIds());
      for (int i = 0; i < 8; i++) {
        assertArrayEquals(base.logprobs().get(i).topLogprobs(),
            adapted.logprobs().get(i).topLogprobs(), 1e-5f);
      }
    }
  }

  @Test
  void brokenAdaptersFailClearly() throws Exception {
    Path bad = dir.resolve("bad");
    Files.createDirectories(bad);
    Files.writeString(bad.resolve("adapter_config.json"),
        "{\"peft_type\":\"LORA\",\"r\":8,\"lora_alpha\":16,\"use_dora\":true}");
    var e = assertThrows(IllegalArgumentException.class, () -> LoraConfig.read(bad));
    assertTrue(e.getMessage().contains("use_dora"), e.getMessage());
    try (DjlLanguageModel model = Models.open(TinyModels.tiny(),
        EngineOptions.defaults().withMaxBatchSize(1).withMaxSequenceLength(64))) {
      var err = assertThrows(IllegalArgumentException.class, () -> model.generate(
          new GenerationRequest("x", "", SamplingParams.greedy(), 2, List.of(),
              dir.resolve("missing").toString())));
      assertTrue(err.getMessage().contains("adapter"), err.getMessage());
      // the engine keeps serving after a bad request
      assertEquals(2, model.generate(new GenerationRequest("x", "", SamplingParams.greedy(), 2,
          List.of(), null), new GenerationOptions(0, true)).tokenIds().length);
    }
  }
}
