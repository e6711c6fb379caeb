package selflengthen.workflows;

/**
 * Change ids for {@code Workflow.getVersion}. Every execution records the version it ran with, so a
 * later change to the stage sequence or the fan-out can branch on it and still replay histories of
 * runs that started before the change. Raise a MAX (and branch on the returned value) when the
 * matching logic changes; never reuse or remove an id while runs recorded with it may be open.
 */
final class Versions {
  /**
   * The round's step sequence ({@code SelfLengthenRoundImpl.run}). 2: the benchmark evaluation
   * stage after measure, when the spec names an evaluation dataset. A new step gets the next value
   * here and runs only when {@code version >=} it.
   */
  static final String ROUND_STAGES = "round-stages";
  static final int ROUND_STAGES_MAX = 5;
  static final int ROUND_STAGES_EVAL = 2;
  /** 3: {@link StageRunner.Features#CURRENT}: local control steps, shards queued ahead. */
  static final int ROUND_STAGES_FAST = 3;
  /**
   * 4: self-instruct as the reference's batches: a shard starts only after the earlier shards of
   * its batch ({@code StageRunner.Features#batchedSelfInstruct}).
   */
  static final int ROUND_STAGES_BATCHES = 4;
  /**
   * 5: the preference stage and the generation mode (all off by default): AgentWrite initial
   * responses ({@code generation.mode}), the round's preference sets after extend ({@code
   * preference.pairs.write} or a preference stage), DPO of the Generator after its SFT ({@code
   * training.preference}).
   */
  static final int ROUND_STAGES_PREFERENCE = 5;

  /** The standalone evaluation's flow: prepare, answer (sharded), score. */
  static final String EVAL_FLOW = "eval-flow";
  static final int EVAL_FLOW_MAX = 2;
  /** 2: {@link StageRunner.Features#CURRENT} for the answer stage's plan, merge and shards. */
  static final int EVAL_FLOW_FAST = 2;

  /** The run's flow: prepare, seed measurement, rounds with continue-as-new, collect, report. */
  static final String RUN_FLOW = "run-flow";
  static final int RUN_FLOW_MAX = 2;
  /**
   * 2: {@link StageRunner.Features#CURRENT} for the run's own stages (seed measurement and
   * evaluation, collect, length control, report); prepare stays an activity.
   */
  static final int RUN_FLOW_FAST = 2;

  /** After length control, the final SFT of the Generator on the length-controlled set. */
  static final String FINAL_SFT = "final-sft";
  static final int FINAL_SFT_MAX = 1;

  /** Before round 1, the seed model answers spec.evaluation's benchmark file (the baseline). */
  static final String SEED_EVAL = "seed-eval";
  static final int SEED_EVAL_MAX = 1;

  /**
   * Which stages the straggler cut applies to. Default: every sharded stage but the benchmark. 1:
   * respond and extend only, as the reference (self-instruct and measure wait for every shard).
   */
  static final String STRAGGLER_STAGES = "straggler-stages";
  static final int STRAGGLER_STAGES_MAX = 1;
  static final int STRAGGLER_STAGES_REFERENCE = 1;

  /**
   * The collection pass after the rounds (collect.enabled): the final models make and answer
   * collect.total_count more instructions, and long.jsonl takes every round's initial (after
   * drop-short) and extended responses plus the pass's. Before it: only the extended responses.
   */
  static final String COLLECT_PASS = "collect-pass";
  static final int COLLECT_PASS_MAX = 1;

  /**
   * 1: a run whose spec names a run_id other than its workflow id fails before prepare. Only
   * executions that meet a mismatch record the marker.
   */
  static final String RUN_ID_CHECK = "run-id-check";
  static final int RUN_ID_CHECK_MAX = 1;

  /**
   * 1: a round stops at a stage that produced nothing (EmptyStages) instead of running the next
   * stages on empty input. Only rounds that meet an empty stage record the marker.
   */
  static final String EMPTY_STAGE = "empty-stage";
  static final int EMPTY_STAGE_MAX = 1;

  private Versions() {}
}
