package selflengthen.activities;

import io.temporal.activity.ActivityInterface;
import selflengthen.v1.DpoTask;
import selflengthen.v1.TrainingResult;

/**
 * DPO of the Generator on queue {@code selflengthen-train} (ours, {@code training.preference:
 * PREFERENCE_METHOD_DPO}). Like {@link TrainActivities#train}: heartbeats each step, checkpoints
 * every {@code checkpoint_every} steps next to the adapter and resumes from the newest on a retry,
 * returns at once when the manifest already records the adapter.
 */
@ActivityInterface
public interface DpoActivities {

  /**
   * Trains a LoRA adapter that starts as a copy of {@code sft_adapter} with the frozen SFT policy
   * (base + {@code sft_adapter}) as reference, sigmoid DPO loss with {@code training.dpo.beta}, on
   * the pairs files; in process, or through {@code training.external_command} as a LLaMA-Factory
   * {@code stage: dpo} config. Writes a PEFT adapter to {@code output_dir}. Without any pair it
   * trains nothing and returns the SFT adapter as it is (0 steps).
   */
  TrainingResult trainDpo(DpoTask task);
}
