package selflengthen.activities;

import io.temporal.activity.ActivityInterface;
import selflengthen.v1.TrainTask;
import selflengthen.v1.TrainingResult;

/**
 * Training on queue {@code selflengthen-train}: LoRA (or full) SFT of one role on its set,
 * continuing from its previous adapter. Heartbeats progress at least every minute, checkpoints every
 * {@code checkpoint_every} steps under {@code output_dir} and resumes from the newest checkpoint on a
 * retry; returns at once when the manifest already records the adapter.
 */
@ActivityInterface
public interface TrainActivities {
  TrainingResult train(TrainTask task);
}
