package selflengthen.activities;

import java.util.List;

/**
 * Stage names: directory names under {@code runs/<run>/round-<k>/}, the {@code stage} of every
 * {@code StageContext}, and the names in status queries. The order of {@link #ROUND} is the order of
 * the method.
 */
public final class Stages {
  public static final String SELF_INSTRUCT = "self_instruct";
  public static final String RESPOND = "respond";
  public static final String DROP_SHORT = "drop_short";
  public static final String EXTEND = "extend";
  public static final String DROP_SHORT_EXTENDED = "drop_short_extended";
  public static final String TRAINING_SETS = "training_sets";
  public static final String TRAIN_GENERATOR = "train_generator";
  public static final String TRAIN_EXTENDER = "train_extender";
  /** The round's preference sets from its extension attempts (ours: preference.pairs). */
  public static final String PREFERENCE = "preference";
  /** DPO of the Generator after its SFT (ours: training.preference). */
  public static final String TRAIN_DPO = "train_dpo";
  /** The new Generator on the held-out instructions; in round 0 the seed model. */
  public static final String MEASURE = "measure";

  /**
   * The Generator answering spec.evaluation's benchmark file (after measure, when the spec names
   * one), and the whole of a standalone {@code selflengthen eval} (round 0).
   */
  public static final String EVAL = "eval";

  /** Run-level calls (round 0 in their context): prepareRun first, the rest after the last round. */
  public static final String PREPARE = "prepare";
  public static final String COLLECT = "collect";
  /**
   * The collection pass after the last round (the reference's run_collect_data.sh): the final
   * models make collect.total_count more instructions and answer them (round 0 in their context).
   */
  public static final String COLLECT_SELF_INSTRUCT = "collect_self_instruct";
  public static final String COLLECT_RESPOND = "collect_respond";
  public static final String COLLECT_DROP_SHORT = "collect_drop_short";
  public static final String LENGTH_CONTROL = "length_control";
  /** Length control's LLM rewrite of the planned rows (sharded, round 0 in its context). */
  public static final String LENGTH_CONTROL_REWRITE = "length_control_rewrite";
  public static final String TRAIN_LENGTH_CONTROL = "train_length_control";
  public static final String REPORT = "report";

  /** One round, in method order. The two train stages may run at the same time. */
  public static final List<String> ROUND =
      List.of(
          SELF_INSTRUCT,
          RESPOND,
          DROP_SHORT,
          EXTEND,
          DROP_SHORT_EXTENDED,
          TRAINING_SETS,
          TRAIN_GENERATOR,
          TRAIN_EXTENDER,
          MEASURE);

  private Stages() {}
}
