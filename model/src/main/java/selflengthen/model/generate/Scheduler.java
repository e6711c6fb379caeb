package selflengthen.model.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import selflengthen.model.engine.Djl;
import selflengthen.model.lora.FusedLora;
import selflengthen.model.nn.DecoderModel;
import selflengthen.model.tokenizer.TextTokenizer;

/**
 * Continuous batching on one thread that owns the model: callers enqueue jobs and wait on
 * futures; the loop admits waiting jobs into free cache slots and prefills them, then runs one
 * decode step for all active slots. What joins the batch is the {@link BatchPolicy}'s call, the
 * running sequences and their cache slots are the {@link Batch}, and turning logits into tokens,
 * stops and streamed text is the {@link StepSampler}'s; this class runs the forward passes.
 */
final class Scheduler implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Scheduler.class);

  private final DecoderModel model;
  private final BatchPolicy policy;
  private final Batch batch;
  private final StepSampler sampler;
  private final AdapterCache adapters;
  private final int padToken;
  private final Thread thread;
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
    this.policy = new BatchPolicy(slotCount, prefillBudget);
    this.sampler = new StepSampler(tokenizer, eos);
    this.padToken = eos.isEmpty() ? 0 : eos.iterator().next();
    this.batch = new Batch(model.config(), slotCount, capacity, model.manager(), model.device());
    this.adapters = new AdapterCache(model.config(), model.manager(), maxAdapters);
    this.thread = new Thread(this::loop, "engine-" + name);
    thread.setDaemon(true);
    thread.start();
  }

  int capacity() {
    return batch.capacity();
  }

  CompletableFuture<Job> submit(Job job) {
    if (closed) {
      throw new IllegalStateException("the model is closed");
    }
    policy.add(job);
    return job.done;
  }

  private void loop() {
    Djl.setGradMode(false);
    while (!closed) {
      try {
        if (batch.active() == 0 && !policy.awaitWork()) {
          continue;
        }
        admit();
        if (batch.active() > 0) {
          long t0 = System.nanoTime();
          try (NDScope scope = new NDScope()) {
            decodeStep();
          }
          decodeNanos.addAndGet(System.nanoTime() - t0);
        }
        sampler.completeFinished();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      } catch (Throwable t) {
        LOG.error("generation step failed; failing {} active request(s)", batch.active(), t);
        sampler.completeFinished();
        batch.failAll(t);
      }
    }
  }

  private void admit() {
    List<Job> admitted = policy.admit(batch.active(), batch.adapter());
    if (admitted.isEmpty()) {
      return;
    }
    String adapter = admitted.get(0).adapter;
    FusedLora lora;
    try {
      lora = adapters.get(adapter);
    } catch (Exception | LinkageError e) {
      admitted.forEach(j -> j.done.completeExceptionally(
          new IllegalArgumentException("cannot load adapter " + adapter + ": " + e.getMessage(), e)));
      return;
    }
    admitted.sort(Comparator.comparingInt(j -> j.prompt.length));
    int slot = batch.place(admitted);
    long t0 = System.nanoTime();
    for (List<Job> group : policy.prefillGroups(admitted)) {
      try (NDScope scope = new NDScope()) {
        prefill(slot, group, lora);
      }
      slot += group.size();
    }
    prefillNanos.addAndGet(System.nanoTime() - t0);
    batch.compact();
  }

  private void prefill(int slot0, List<Job> group, FusedLora lora) {
    int n = group.size();
    int longest = group.get(n - 1).prompt.length;
    int budget = policy.prefillBudget();
    NDArray logits;
    if (n == 1 && longest > budget) {
      int[] prompt = group.get(0).prompt;
      logits = null;
      for (int start = 0; start < longest; start += budget) {
        int len = Math.min(budget, longest - start);
        long[] tokens = new long[len];
        for (int t = 0; t < len; t++) {
          tokens[t] = prompt[start + t];
        }
        if (logits != null) {
          logits.close();
        }
        try (NDScope chunk = new NDScope()) {
          logits = model.forward(tokens, 1, len, slot0, new int[] {start}, new int[] {len - 1},
              batch.cache(), lora);
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
      logits = model.forward(tokens, n, longest, slot0, new int[n], last, batch.cache(), lora);
      prefillForwards.incrementAndGet();
    }
    for (Job j : group) {
      j.cached = j.prompt.length;
      prefilledTokens.addAndGet(j.prompt.length);
    }
    sampler.sampleAndAccept(logits, batch, slot0, group);
  }

  private void decodeStep() {
    List<Job> rows = batch.running();
    int n = rows.size();
    long[] tokens = new long[n];
    int[] start = new int[n];
    for (int i = 0; i < n; i++) {
      tokens[i] = rows.get(i).pending;
      start[i] = rows.get(i).cached;
    }
    FusedLora lora = adaptersOrNull();
    NDArray logits = model.forward(tokens, n, 1, 0, start, new int[n], batch.cache(), lora);
    for (Job j : rows) {
      j.cached++;
    }
    decodeSteps.incrementAndGet();
    decodedTokens.addAndGet(n);
    sampler.sampleAndAccept(logits, batch, 0, rows);
    batch.compact();
  }

  private FusedLora adaptersOrNull() {
    try {
      return adapters.get(batch.adapter());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
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
    for (Job j : policy.waiting()) {
      j.done.completeExceptionally(gone);
    }
    batch.failAll(gone);
    adapters.close();
    batch.close();
  }
}
