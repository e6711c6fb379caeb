package selflengthen.workflows;

import io.temporal.activity.Activity;
import io.temporal.activity.ActivityInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import selflengthen.v1.MergeStageTask;
import selflengthen.v1.TrainTask;

/**
 * What the activity doubles saw, and how they are scripted to behave, shared by the three doubles of
 * one test. Thread-safe: activities run on worker threads while the test reads.
 */
final class CallLog {
  /** How a scripted call behaves (by logical call id). */
  enum Behavior {
    NORMAL,
    /**
     * A straggler: heartbeats until its stage's merge is recorded (the store protocol of
     * ShardTask.stage_output_path), then stops.
     */
    BLOCK_UNTIL_CUT,
    /** Heartbeats until {@link #gate} opens. */
    WAIT_FOR_GATE,
    /** Throws a retryable failure on attempt 1. */
    FAIL_FIRST_ATTEMPT,
    /** Takes {@link #SLOW_MS}. */
    SLOW
  }

  static final long SLOW_MS = 150;

  record Call(String kind, String callId, String workflowId, String activityType, int attempt) {}

  final List<Call> calls = new CopyOnWriteArrayList<>();
  final Map<String, Behavior> behaviors = new ConcurrentHashMap<>();
  final Set<String> completed = ConcurrentHashMap.newKeySet();
  /** Shards that stopped because their stage ended without them. */
  final Set<String> cut = ConcurrentHashMap.newKeySet();
  final Map<String, MergeStageTask> merges = new ConcurrentHashMap<>();
  final List<TrainTask> trainTasks = new CopyOnWriteArrayList<>();
  /** The context of every shard task, as the worker received it. */
  final List<selflengthen.v1.StageContext> shardContexts = new CopyOnWriteArrayList<>();
  final List<selflengthen.v1.CollectTask> collects = new CopyOnWriteArrayList<>();
  final List<selflengthen.v1.LengthControlTask> lengthControls = new CopyOnWriteArrayList<>();
  final CountDownLatch gate = new CountDownLatch(1);
  private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> maxInFlight = new ConcurrentHashMap<>();

  Behavior behavior(String callId) {
    return behaviors.getOrDefault(callId, Behavior.NORMAL);
  }

  void record(String kind, String callId) {
    ActivityInfo info = Activity.getExecutionContext().getInfo();
    calls.add(new Call(kind, callId, info.getWorkflowId(), info.getActivityType(), info.getAttempt()));
  }

  /** Counts a call of a group (e.g. "round-1/measure") in flight; returns the token for exit. */
  void enter(String group) {
    int now = inFlight.computeIfAbsent(group, g -> new AtomicInteger()).incrementAndGet();
    maxInFlight.computeIfAbsent(group, g -> new AtomicInteger()).accumulateAndGet(now, Math::max);
  }

  void exit(String group) {
    inFlight.get(group).decrementAndGet();
  }

  int maxInFlight(String group) {
    AtomicInteger m = maxInFlight.get(group);
    return m == null ? 0 : m.get();
  }

  /** Calls whose call id starts with the prefix, e.g. "run/round-1/respond/". */
  List<Call> callsUnder(String prefix) {
    return calls.stream().filter(c -> c.callId().startsWith(prefix)).collect(Collectors.toList());
  }

  long started(String prefix) {
    return callsUnder(prefix).stream().filter(c -> c.kind().equals("shard")).map(Call::callId).distinct().count();
  }

  long completedUnder(String prefix) {
    return completed.stream().filter(id -> id.startsWith(prefix)).count();
  }

  List<Integer> attempts(String callId) {
    List<Integer> out = new ArrayList<>();
    for (Call c : calls) {
      if (c.callId().equals(callId)) {
        out.add(c.attempt());
      }
    }
    return out;
  }
}
