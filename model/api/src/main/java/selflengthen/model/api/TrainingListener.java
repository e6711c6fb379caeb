package selflengthen.model.api;

/** Progress of a training job; the train activity turns these into heartbeats. */
public interface TrainingListener {
  void onStep(TrainingProgress progress);

  TrainingListener NONE = progress -> {};
}
