package selflengthen.activities;

import io.temporal.activity.ActivityInterface;
import selflengthen.v1.BuiltPreferenceSets;
import selflengthen.v1.PreferenceSetsTask;

/**
 * The round's preference sets, on queue {@code selflengthen-control} (light CPU work, idempotent
 * like {@link ControlActivities}): only when the spec asks for them ({@code training.preference}
 * or {@code preference.pairs.write}).
 */
@ActivityInterface
public interface PreferenceActivities {

  /**
   * From every successful extension attempt of the round, the pairs {@code preference.pairs} asks
   * for, written to {@code output_dir} as this project's record (pairs.jsonl, with each pair's
   * extension row and attempt), a LLaMA-Factory preference set (preference_r&lt;k&gt;.json and its
   * dataset_info.json entry with {@code ranking: true}) and TRL's prompt/chosen/rejected JSONL,
   * each recorded in the manifest with the extension output as its input.
   */
  BuiltPreferenceSets buildPreferenceSets(PreferenceSetsTask task);
}
