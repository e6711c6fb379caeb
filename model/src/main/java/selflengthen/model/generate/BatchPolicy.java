package selflengthen.model.generate;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Admission: which waiting requests join the running batch, and when. Requests are admitted in
 * arrival order while slots are free; all requests in a batch share one adapter, so a request for
 * another adapter waits until the batch drains (admission stays FIFO). Admitted requests are
 * prefilled in length-sorted groups whose padded size fits the prefill budget.
 */
final class BatchPolicy {
  /** How long the queue must stay unchanged to end a burst of submissions. */
  static final long BURST_QUIET_NANOS = 2_000_000;
  /** The longest wait for a burst to end. */
  static final long BURST_MAX_NANOS = 10_000_000;

  private final LinkedBlockingDeque<Job> queue = new LinkedBlockingDeque<>();
  private final int slotCount;
  private final int prefillBudget;

  BatchPolicy(int slotCount, int prefillBudget) {
    this.slotCount = slotCount;
    this.prefillBudget = prefillBudget;
  }

  int prefillBudget() {
    return prefillBudget;
  }

  void add(Job job) {
    queue.add(job);
  }

  /**
   * Called with an empty batch: waits a little for a request, then for the burst it starts.
   *
   * @return false when none came
   */
  boolean awaitWork() throws InterruptedException {
    Job next = queue.poll(50, TimeUnit.MILLISECONDS);
    if (next == null) {
      return false;
    }
    queue.addFirst(next);
    gatherBurst();
    return true;
  }

  /**
   * After an idle spell, waits briefly for requests submitted together with the first one (an
   * activity's threads, a client's batch) so that they are prefilled in one batch: admitted one
   * by one, the later ones would wait for the first one's whole prefill. Returns as soon as no
   * new request arrived for {@link #BURST_QUIET_NANOS}, after {@link #BURST_MAX_NANOS} at most, or
   * when the queue fills every slot; a lone request pays one quiet interval.
   */
  private void gatherBurst() {
    long deadline = System.nanoTime() + BURST_MAX_NANOS;
    int waiting = queue.size();
    while (waiting < slotCount && System.nanoTime() < deadline) {
      LockSupport.parkNanos(BURST_QUIET_NANOS);
      int now = queue.size();
      if (now == waiting) {
        return;
      }
      waiting = now;
    }
  }

  /**
   * Takes the waiting requests that may join a batch of {@code active} running requests on
   * {@code batchAdapter} (any adapter when the batch is empty), skipping cancelled ones; they all
   * share the adapter of the first.
   */
  List<Job> admit(int active, String batchAdapter) {
    List<Job> admitted = new ArrayList<>();
    String adapter = batchAdapter;
    while (active + admitted.size() < slotCount) {
      Job head = queue.peekFirst();
      if (head == null) {
        break;
      }
      if (head.done.isDone()) {
        queue.pollFirst();
        continue;
      }
      if (active + admitted.size() == 0) {
        adapter = head.adapter;
      } else if (!Objects.equals(head.adapter, adapter)) {
        break;
      }
      admitted.add(queue.pollFirst());
    }
    return admitted;
  }

  /**
   * Splits admitted requests, sorted by prompt length, into prefill forwards: consecutive runs
   * whose count times the longest prompt fits the budget (a longer lone prompt is chunked by the
   * prefill itself).
   */
  List<List<Job>> prefillGroups(List<Job> sorted) {
    List<List<Job>> groups = new ArrayList<>();
    int i = 0;
    while (i < sorted.size()) {
      int j = i + 1;
      while (j < sorted.size() && (long) (j - i + 1) * sorted.get(j).prompt.length <= prefillBudget) {
        j++;
      }
      groups.add(sorted.subList(i, j));
      i = j;
    }
    return groups;
  }

  /** The requests still waiting (to fail them on close). */
  Collection<Job> waiting() {
    return queue;
  }
}
