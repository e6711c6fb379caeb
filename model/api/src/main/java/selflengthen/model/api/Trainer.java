package selflengthen.model.api;

/** Runs supervised fine-tuning jobs (in process with DJL, or an external command). */
public interface Trainer {
  TrainingReport train(TrainingJob job, TrainingListener listener);
}
