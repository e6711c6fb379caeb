package selflengthen.model.api;

/**
 * What a DPO job produced: the training figures (the loss is the sigmoid DPO loss) and the
 * implicit reward margin, beta * ((log pi(c) - log ref(c)) - (log pi(r) - log ref(r))), averaged
 * over the pairs of the first optimizer step this run made (after a resume: the first step after
 * the checkpoint) and of the last, with the share of pairs of the last step whose margin is
 * positive.
 */
public record DpoReport(TrainingReport training, double firstMargin, double lastMargin,
    double lastAccuracy) {}
