package selflengthen.model.generate;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import selflengthen.model.config.ModelConfig;
import selflengthen.model.nn.KvCache;

/**
 * The running sequences: slots {@code 0..active-1} of the KV cache, each slot's mask of tokens
 * seen so far (for repetition penalties), and the adapter the batch shares. Finished slots are
 * closed up so that active slots stay contiguous.
 */
final class Batch implements AutoCloseable {
  private final KvCache cache;
  private final NDArray seen;
  private final Job[] slots;
  private int active;
  private String adapter;

  Batch(ModelConfig config, int slotCount, int capacity, NDManager manager, Device device) {
    this.cache = new KvCache(config, slotCount, capacity, manager, device);
    this.seen = manager.zeros(new Shape(slotCount, config.vocabSize()), DataType.FLOAT32);
    NDScope.unregister(seen);
    this.slots = new Job[slotCount];
  }

  KvCache cache() {
    return cache;
  }

  int capacity() {
    return cache.capacity();
  }

  int active() {
    return active;
  }

  String adapter() {
    return adapter;
  }

  /** The running jobs in slot order. */
  List<Job> running() {
    List<Job> rows = new ArrayList<>(active);
    for (int i = 0; i < active; i++) {
      rows.add(slots[i]);
    }
    return rows;
  }

  /**
   * Puts admitted jobs (of one adapter) in the slots after the active ones, their seen masks set
   * to their prompts.
   *
   * @return the first slot they took
   */
  int place(List<Job> admitted) {
    if (active == 0) {
      adapter = admitted.get(0).adapter;
    }
    int first = active;
    for (int i = 0; i < admitted.size(); i++) {
      slots[first + i] = admitted.get(i);
    }
    active += admitted.size();
    try (NDScope scope = new NDScope()) {
      resetSeen(first, admitted);
    }
    return first;
  }

  /** The seen masks of {@code n} slots from {@code slot0}. */
  NDArray seenRows(int slot0, int n) {
    return seen.get(new NDIndex().addSliceDim(slot0, slot0 + n));
  }

  /** Marks each slot's newly sampled token as seen. */
  void markSeen(long[] slotIds, long[] tokenIds, NDManager m) {
    seen.set(new NDIndex("{}, {}", m.create(slotIds), m.create(tokenIds)), 1f);
  }

  /** Fails every running job and empties the batch. */
  void failAll(Throwable t) {
    for (int i = 0; i < active; i++) {
      slots[i].done.completeExceptionally(t);
      slots[i] = null;
    }
    active = 0;
  }

  /** Drops finished slots and moves the last active slots into the gaps. */
  void compact() {
    int lo = 0;
    int hi = active - 1;
    while (true) {
      while (lo <= hi && !isFree(slots[lo])) {
        lo++;
      }
      while (hi >= lo && isFree(slots[hi])) {
        slots[hi] = null;
        hi--;
      }
      if (lo >= hi) {
        break;
      }
      Job moving = slots[hi];
      cache.moveSlot(hi, lo, moving.cached);
      try (NDScope scope = new NDScope()) {
        seen.set(new NDIndex().addIndices(lo), seen.get(new NDIndex().addIndices(hi)));
      }
      slots[lo] = moving;
      slots[hi] = null;
      hi--;
    }
    int n = 0;
    while (n < slots.length && slots[n] != null && !isFree(slots[n])) {
      n++;
    }
    for (int i = n; i < active; i++) {
      slots[i] = null;
    }
    active = n;
  }

  private static boolean isFree(Job j) {
    return j == null || j.finish != null || j.done.isDone();
  }

  private void resetSeen(int first, List<Job> jobs) {
    NDManager m = seen.getManager();
    seen.set(new NDIndex().addSliceDim(first, first + jobs.size()), 0f);
    int total = 0;
    for (Job j : jobs) {
      total += j.prompt.length;
    }
    long[] rows = new long[total];
    long[] cols = new long[total];
    int k = 0;
    for (int i = 0; i < jobs.size(); i++) {
      for (int t : jobs.get(i).prompt) {
        rows[k] = first + i;
        cols[k++] = t;
      }
    }
    seen.set(new NDIndex("{}, {}", m.create(rows), m.create(cols)), 1f);
  }

  @Override
  public void close() {
    cache.close();
    seen.close();
  }
}
