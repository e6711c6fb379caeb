package selflengthen.workflows;

import java.util.List;

/** Task queues by resource (docs/architecture.md): workers poll the subsets they can serve. */
public final class TaskQueues {
  /** Workflows and light CPU activities (planning, filters, training sets, reports). */
  public static final String CONTROL = "selflengthen-control";
  /** Generation (GPU or CPU). */
  public static final String INFERENCE = "selflengthen-inference";
  /** Training. */
  public static final String TRAIN = "selflengthen-train";

  public static final List<String> ALL = List.of(CONTROL, INFERENCE, TRAIN);

  private TaskQueues() {}

  /** Maps a short name ("control", "inference", "train") or a full queue name to the queue name. */
  public static String resolve(String name) {
    String n = name.trim();
    for (String q : ALL) {
      if (q.equals(n) || q.equals("selflengthen-" + n)) {
        return q;
      }
    }
    throw new IllegalArgumentException(
        "unknown queue '" + name + "': expected one of control, inference, train");
  }
}
