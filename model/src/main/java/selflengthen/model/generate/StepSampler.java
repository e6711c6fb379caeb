package selflengthen.model.generate;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import selflengthen.model.api.FinishReason;
import selflengthen.model.tokenizer.TextTokenizer;

/**
 * One step's outcome for each sequence: samples its next token from the forward pass's logits,
 * decides whether it stops (end of sequence, a stop string, its token budget or the cache's
 * length) and streams its new text to a listener. Finished jobs are held until the step's
 * bookkeeping is done, so that callers see final counters.
 */
final class StepSampler {
  private static final Logger LOG = LoggerFactory.getLogger(StepSampler.class);

  private final TextTokenizer tokenizer;
  private final Set<Integer> eos;
  private final List<Job> finished = new ArrayList<>();

  StepSampler(TextTokenizer tokenizer, Set<Integer> eos) {
    this.tokenizer = tokenizer;
    this.eos = Set.copyOf(eos);
  }

  /** Samples a token for each of {@code rows}, which sit in the batch's slots from {@code slot0}. */
  void sampleAndAccept(NDArray logits, Batch batch, int slot0, List<Job> rows) {
    int n = rows.size();
    List<LogitsSampler.Row> settings = new ArrayList<>(n);
    for (Job j : rows) {
      settings.add(new LogitsSampler.Row(j.sampling, j.random, j.options.topLogprobs()));
    }
    LogitsSampler.Choice[] choices = LogitsSampler.choose(logits, batch.seenRows(slot0, n), settings);
    long[] slotIds = new long[n];
    long[] tokenIds = new long[n];
    for (int i = 0; i < n; i++) {
      accept(rows.get(i), choices[i], batch.capacity());
      slotIds[i] = slot0 + i;
      tokenIds[i] = choices[i].token();
    }
    batch.markSeen(slotIds, tokenIds, logits.getManager());
  }

  private void accept(Job job, LogitsSampler.Choice choice, int capacity) {
    int token = choice.token();
    job.add(token);
    if (job.logprobs != null && choice.logprobs() != null) {
      job.logprobs.add(choice.logprobs());
    }
    if (!job.options.ignoreEos() && eos.contains(token)) {
      finish(job, FinishReason.STOP);
    } else if ((job.longestStop > 0 || job.listener != null) && stopStringSeen(job)) {
      finish(job, FinishReason.STOP);
    } else if (job.generatedCount >= job.maxNewTokens || job.cached >= capacity) {
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

  /** Completes the jobs that finished since the last call. */
  void completeFinished() {
    for (Job j : finished) {
      j.done.complete(j);
    }
    finished.clear();
  }
}
