package selflengthen.model.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import selflengthen.model.Djl;
import selflengthen.model.api.FinishReason;
import selflengthen.model.lora.FusedLora;
import selflengthen.model.nn.DecoderModel;
import selflengthen.model.nn.KvCache;
import selflengthen.model.tokenizer.TextTokenizer;

/**
 * Continuous batching on one thread that owns the model: callers enqueue jobs and wait on
 * futures; the loop admits waiting jobs into free cache slots (prefill, in length-sorted groups
 * and chunks), then runs one decode step for all active slots, finishes sequences, and closes
 * the gaps they leave so that active slots stay contiguous. All jobs in the batch share one
 * adapter: a job for another adapter waits until the batch drains, which keeps admission FIFO.
 */
final class Scheduler implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Scheduler.class);

  /** How long the queue must stay unchanged to end a burst of submissions. */
  static final long BURST_QUIET_NANOS = 2_000_000;
  /** The longest wait for a burst to end. */
  static final long BURST_MAX_NANOS = 10_000_000;

  private final DecoderModel model;
  private final TextTokenizer tokenizer;
  private final Set<Integer> eos;
  private final KvCache cache;
  private final NDArray seen;
  private final AdapterCache adapters;
  private final int prefillBudget;
  private final int padToken;
  private final LinkedBlockingDeque<Job> queue = new LinkedBlockingDeque<>();
  private final Job[] slots;
  private final Thread thread;
  private int active;
  private String batchAdapter;
  /** Finished jobs, completed after the step's bookkeeping so callers see final counters. */
  private final List<Job> finished = new ArrayList<>();
  private volatile boolean closed;

  final AtomicLong decodeSteps = new AtomicLong();
  final AtomicLong decodedTokens = new AtomicLong();
  final AtomicLong prefilledTokens = new AtomicLong();
  final AtomicLong decodeNanos = new AtomicLong();
  final AtomicLong prefillNanos = new AtomicLong();
  final AtomicLong prefillForwards = new AtomicLong();

  Scheduler(DecoderModel model, TextTokenizer tokenizer, Set<Integer> eos, int slotCount,
      int capacity, int prefillBudget, int maxAdapters, String name) {
    this.model = model;
    this.tokenizer = tokenizer;
    this.eos = Set.copyOf(eos);
    this.prefillBudget = prefillBudget;
    this.padToken = eos.isEmpty() ? 0 : eos.iterator().next();
    NDManager m = model.manager();
    this.cache = new KvCache(model.config(), slotCount, capacity, m, model.device());
    this.seen = m.zeros(new Shape(slotCount, model.config().vocabSize()), DataType.FLOAT32);
    NDScope.unregister(seen);
    this.adapters = new AdapterCache(model.config(), m, maxAdapters);
    this.slots = new Job[slotCount];
    this.thread = new Thread(this::loop, "engine-" + name);
    thread.setDaemon(true);
    thread.start();
  }

  int capacity() {
    return cache.capacity();
  }

  CompletableFuture<Job> submit(Job job) {
    if (closed) {
      throw new IllegalStateException("the model is closed");
    }
    queue.add(job);
    return job.done;
  }

  private void loop() {
    Djl.setGradMode(false);
    while (!closed) {
      try {
        if (active == 0) {
          Job next = queue.poll(50, TimeUnit.MILLISECONDS);
          if (next == null) {
            continue;
          }
          queue.addFirst(next);
          gatherBurst();
        }
        admit();
        if (active > 0) {
          long t0 = System.nanoTime();
          try (NDScope scope = new NDScope()) {
            decodeStep();
          }
          decodeNanos.addAndGet(System.nanoTime() - t0);
        }
        completeFinished();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      } catch (Throwable t) {
        LOG.error("generation step failed; failing {} active request(s)", active, t);
        completeFinished();
        for (int i = 0; i < active; i++) {
          slots[i].done.completeExceptionally(t);
          slots[i] = null;
        }
        active = 0;
      }
    }
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
    while (waiting < slots.length && System.nanoTime() < deadline) {
      LockSupport.parkNanos(BURST_QUIET_NANOS);
      int now = queue.size();
      if (now == waiting) {
        return;
      }
      waiting = now;
    }
  }

  private void admit() {
    List<Job> admitted = new ArrayList<>();
    while (active + admitted.size() < slots.length) {
      Job head = queue.peekFirst();
      if (head == null) {
        break;
      }
      if (head.done.isDone()) {
        queue.pollFirst();
        continue;
      }
      if (active + admitted.size() == 0) {
        batchAdapter = head.adapter;
      } else if (!Objects.equals(head.adapter, batchAdapter)) {
        break;
      }
      admitted.add(queue.pollFirst());
    }
    if (admitted.isEmpty()) {
      return;
    }
    FusedLora lora;
    try {
      lora = adapters.get(batchAdapter);
    } catch (Exception | LinkageError e) {
      admitted.forEach(j -> j.done.completeExceptionally(
          new IllegalArgumentException("cannot load adapter " + batchAdapter + ": " + e.getMessage(), e)));
      return;
    }
    admitted.sort(Comparator.comparingInt(j -> j.prompt.length));
    int first = active;
    for (int i = 0; i < admitted.size(); i++) {
      slots[first + i] = admitted.get(i);
    }
    active += admitted.size();
    try (NDScope scope = new NDScope()) {
      resetSeen(first, admitted);
    }
    long t0 = System.nanoTime();
    int i = 0;
    while (i < admitted.size()) {
      int j = i + 1;
      while (j < admitted.size() && (long) (j - i + 1) * admitted.get(j).prompt.length <= prefillBudget) {
        j++;
      }
      try (NDScope scope = new NDScope()) {
        prefill(first + i, admitted.subList(i, j), lora);
      }
      i = j;
    }
    prefillNanos.addAndGet(System.nanoTime() - t0);
    compact();
  }

  private void prefill(int slot0, List<Job> group, FusedLora lora) {
    int n = group.size();
    int longest = group.get(n - 1).prompt.length;
    NDArray logits;
    if (n == 1 && longest > prefillBudget) {
      int[] prompt = group.get(0).prompt;
      logits = null;
      for (int start = 0; start < longest; start += prefillBudget) {
        int len = Math.min(prefillBudget, longest - start);
        long[] tokens = new long[len];
        for (int t = 0; t < len; t++) {
          tokens[t] = prompt[start + t];
        }
        if (logits != null) {
          logits.close();
        }
        try (NDScope chunk = new NDScope()) {
          logits = model.forward(tokens, 1, len, slot0, new int[] {start}, new int[] {len - 1},
              cache, lora);
          prefillForwards.incrementAndGet();
          NDScope.unregister(logits);
        }
      }
      NDScope.register(logits);
    } else {
      long[] tokens = new long[n * longest];
      int[] last = new int[n];
      for (int b = 0; b < n; b++) {
        int[] p = group.get(b).prompt;
        java.util.Arrays.fill(tokens, b * longest, (b + 1) * longest, padToken);
        for (int t = 0; t < p.length; t++) {
          tokens[b * longest + t] = p[t];
        }
        last[b] = p.length - 1;
      }
      logits = model.forward(tokens, n, longest, slot0, new int[n], last, cache, lora);
      prefillForwards.incrementAndGet();
    }
    for (Job j : group) {
      j.cached = j.prompt.length;
      prefilledTokens.addAndGet(j.prompt.length);
    }
    sampleAndAccept(logits, slot0, group);
  }

  private void decodeStep() {
    int n = active;
    long[] tokens = new long[n];
    int[] start = new int[n];
    for (int i = 0; i < n; i++) {
      tokens[i] = slots[i].pending;
      start[i] = slots[i].cached;
    }
    FusedLora lora = adaptersOrNull();
    NDArray logits = model.forward(tokens, n, 1, 0, start, new int[n], cache, lora);
    List<Job> rows = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      slots[i].cached++;
      rows.add(slots[i]);
    }
    decodeSteps.incrementAndGet();
    decodedTokens.addAndGet(n);
    sampleAndAccept(logits, 0, rows);
    compact();
  }

  private FusedLora adaptersOrNull() {
    try {
      return adapters.get(batchAdapter);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private void sampleAndAccept(NDArray logits, int slot0, List<Job> rows) {
    int n = rows.size();
    List<LogitsSampler.Row> settings = new ArrayList<>(n);
    for (Job j : rows) {
      settings.add(new LogitsSampler.Row(j.sampling, j.random, j.options.topLogprobs()));
    }
    NDArray seenRows = seen.get(new NDIndex().addSliceDim(slot0, slot0 + n));
    LogitsSampler.Choice[] choices = LogitsSampler.choose(logits, seenRows, settings);
    long[] slotIds = new long[n];
    long[] tokenIds = new long[n];
    for (int i = 0; i < n; i++) {
      accept(rows.get(i), choices[i]);
      slotIds[i] = slot0 + i;
      tokenIds[i] = choices[i].token();
    }
    NDManager m = logits.getManager();
    seen.set(new NDIndex("{}, {}", m.create(slotIds), m.create(tokenIds)), 1f);
  }

  private void accept(Job job, LogitsSampler.Choice choice) {
    int token = choice.token();
    job.add(token);
    if (job.logprobs != null && choice.logprobs() != null) {
      job.logprobs.add(choice.logprobs());
    }
    if (!job.options.ignoreEos() && eos.contains(token)) {
      finish(job, FinishReason.STOP);
    } else if ((job.longestStop > 0 || job.listener != null) && stopStringSeen(job)) {
      finish(job, FinishReason.STOP);
    } else if (job.generatedCount >= job.maxNewTokens || job.cached >= cache.capacity()) {
      finish(job, FinishReason.LENGTH);
    } else {
      job.pending = token;
      stream(job);
    }
  }

  /**
   * Sends a listening job's new text, holding back the last {@code longestStop - 1} characters,
   * which could be the start of a stop string. The rest goes out when the job finishes.
   */
  private static void stream(Job job) {
    if (job.listener == null) {
      return;
    }
    int safe = job.text.length() - Math.max(0, job.longestStop - 1);
    if (safe > job.streamed) {
      String piece = job.text.substring(job.streamed, safe);
      job.streamed = safe;
      notify(job, piece);
    }
  }

  /** A listener that fails (a client that left) loses its stream, not the batch its job is in. */
  static void notify(Job job, String piece) {
    try {
      job.listener.onText(piece);
    } catch (RuntimeException e) {
      LOG.debug("dropping the text stream of a request whose listener failed: {}", e.toString());
      job.listener = null;
    }
  }

  /** Decodes the job's newest tokens into its text; true when a stop string appeared. */
  private boolean stopStringSeen(Job job) {
    if (job.decoder == null) {
      job.decoder = new IncrementalDecoder(tokenizer);
      job.text = new StringBuilder();
    }
    int before = job.text.length();
    job.text.append(job.decoder.next(job.generated, job.generatedCount));
    if (job.text.length() == before || job.longestStop == 0) {
      return false;
    }
    int from = Math.max(0, before - job.longestStop + 1);
    for (String s : job.stopStrings) {
      if (!s.isEmpty() && job.text.indexOf(s, from) >= 0) {
        return true;
      }
    }
    return false;
  }

  private void finish(Job job, FinishReason reason) {
    job.finish = reason;
    finished.add(job);
  }

  private void completeFinished() {
    for (Job j : finished) {
      j.done.complete(j);
    }
    finished.clear();
  }

  /** Drops finished slots and moves the last active slots into the gaps. */
  private void compact() {
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
    closed = true;
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    IllegalStateException gone = new IllegalStateException("the model was closed");
    for (Job j : queue) {
      j.done.completeExceptionally(gone);
    }
    for (int i = 0; i < active; i++) {
      slots[i].done.completeExceptionally(gone);
    }
    adapters.close();
    cache.close();
    seen.close();
  }
}
