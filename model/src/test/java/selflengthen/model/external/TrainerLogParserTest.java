package selflengthen.model.external;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import selflengthen.model.api.TrainingProgress;

class TrainerLogParserTest {

  @Test
  void readsStepsFromTheTrainingBarAndFiguresFromLoggingDicts() {
    TrainerLogParser parser = new TrainerLogParser(0, 1);
    assertTrue(
        parser.accept("[INFO|trainer.py:2414]   Total optimization steps = 1,250", 0).isEmpty());
    assertTrue(
        parser
            .accept(
                "Running tokenizer on dataset (num_proc=16): 100%|██████████| 5000/5000"
                    + " [00:05<00:00, 900 examples/s]",
                0)
            .isEmpty());
    assertTrue(
        parser
            .accept("Loading checkpoint shards: 100%|██████████| 4/4 [00:03<00:00,  1.2it/s]", 0)
            .isEmpty());
    assertTrue(parser.accept("  0%|          | 0/1250 [00:00<?, ?it/s]", 0).isEmpty());
    assertTrue(parser.accept("  1%|          | 7/1250 [00:20<59:00,  2.85s/it]", 0).isEmpty());

    Optional<TrainingProgress> seventh =
        parser.accept(
            "{'loss': 1.2345, 'grad_norm': 0.87, 'learning_rate': 9.5e-05, 'epoch': 0.02,"
                + " 'num_input_tokens_seen': 7000}",
            1_000_000_000L);
    assertEquals(7, seventh.orElseThrow().step());
    assertEquals(1250, seventh.get().totalSteps());
    assertEquals(1.2345, seventh.get().loss(), 1e-9);
    assertEquals(9.5e-5, seventh.get().learningRate(), 1e-12);
    assertEquals(0.02, seventh.get().epoch(), 1e-9);

    // Newer transformers quote formatted numbers; the bar lags: the step still advances by one.
    TrainingProgress eighth =
        parser
            .accept(
                "{'loss': '1.1', 'grad_norm': '0.5', 'learning_rate': '9.4e-05', 'epoch': '0.03',"
                    + " 'num_input_tokens_seen': 8000}",
                2_000_000_000L)
            .orElseThrow();
    assertEquals(8, eighth.step());
    assertEquals(1.1, eighth.loss(), 1e-9);
    assertEquals(1000.0, eighth.tokensPerSecond(), 1e-6, "1000 tokens in one second");

    assertTrue(
        parser
            .accept(
                "{'train_runtime': 100.0, 'train_samples_per_second': 3.2, 'train_loss': 0.9,"
                    + " 'epoch': 4.0}",
                0)
            .isEmpty());
    assertTrue(parser.accept("warning: something about 'loss' in prose", 0).isEmpty());
  }

  @Test
  void aResumedRunCountsOnFromItsCheckpoint() {
    TrainerLogParser parser = new TrainerLogParser(40, 1);
    assertEquals(
        41,
        parser
            .accept("{'loss': 0.5, 'learning_rate': 1e-05, 'epoch': 2.0}", 0)
            .orElseThrow()
            .step());
  }

  @Test
  void commandTemplatesKeepQuotedWordsAndFillPlaceholders() {
    assertEquals(
        List.of("llamafactory-cli", "train", "/data/a b/train.yaml"),
        CommandTemplate.expand(
            "llamafactory-cli train {config}", java.util.Map.of("config", "/data/a b/train.yaml")));
    assertEquals(
        List.of("torchrun", "--nproc_per_node", "8", "my train.py", "--config=/c.yaml"),
        CommandTemplate.expand(
            "torchrun --nproc_per_node 8 'my train.py' --config={config}",
            java.util.Map.of("config", "/c.yaml")));
    assertEquals(
        List.of("llamafactory-cli", "train", "/c.yaml"),
        CommandTemplate.expand("llamafactory-cli train", java.util.Map.of("config", "/c.yaml")));
  }
}
