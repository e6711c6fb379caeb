package selflengthen.workers.bench;

import com.google.protobuf.ByteString;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.api.workflowservice.v1.GetWorkflowExecutionHistoryRequest;
import io.temporal.api.workflowservice.v1.GetWorkflowExecutionHistoryResponse;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The history of one workflow id across its continue-as-new chain, as the server stores it, and
 * the figures the benchmark reads from it.
 */
final class RoundHistory {
  /** One stage's shards: how many, and from the first scheduled to the last completed. */
  record ShardWindow(String activityType, int shards, long firstScheduledMs, long lastCompletedMs) {
    long millis() {
      return lastCompletedMs - firstScheduledMs;
    }
  }

  private final List<List<HistoryEvent>> executions;

  private RoundHistory(List<List<HistoryEvent>> executions) {
    this.executions = executions;
  }

  /** Reads every execution of {@code workflowId}, oldest first (walking back from the latest). */
  static RoundHistory read(WorkflowServiceStubs stubs, String namespace, String workflowId) {
    List<List<HistoryEvent>> chain = new ArrayList<>();
    String runId = "";
    do {
      List<HistoryEvent> events = events(stubs, namespace, workflowId, runId);
      chain.add(events);
      runId = events.isEmpty() ? ""
          : events.get(0).getWorkflowExecutionStartedEventAttributes().getContinuedExecutionRunId();
    } while (!runId.isEmpty());
    Collections.reverse(chain);
    return new RoundHistory(chain);
  }

  private static List<HistoryEvent> events(
      WorkflowServiceStubs stubs, String namespace, String workflowId, String runId) {
    List<HistoryEvent> events = new ArrayList<>();
    ByteString page = ByteString.EMPTY;
    do {
      GetWorkflowExecutionHistoryResponse r =
          stubs.blockingStub().getWorkflowExecutionHistory(
              GetWorkflowExecutionHistoryRequest.newBuilder()
                  .setNamespace(namespace)
                  .setExecution(WorkflowExecution.newBuilder().setWorkflowId(workflowId).setRunId(runId))
                  .setNextPageToken(page)
                  .build());
      events.addAll(r.getHistory().getEventsList());
      page = r.getNextPageToken();
    } while (!page.isEmpty());
    return events;
  }

  int executions() {
    return executions.size();
  }

  long events() {
    return executions.stream().mapToLong(List::size).sum();
  }

  long count(EventType type) {
    return executions.stream().flatMap(List::stream).filter(e -> e.getEventType() == type).count();
  }

  /** Events per type (EVENT_TYPE_ prefix dropped), most frequent first. */
  Map<String, Long> countsByType() {
    Map<String, Long> counts = new HashMap<>();
    executions.stream().flatMap(List::stream).forEach(
        e -> counts.merge(e.getEventType().name().replaceFirst("^EVENT_TYPE_", "").toLowerCase(), 1L, Long::sum));
    Map<String, Long> out = new LinkedHashMap<>();
    counts.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
        .forEach(e -> out.put(e.getKey(), e.getValue()));
    return out;
  }

  /** From the first execution's start to the last execution's close. */
  long durationMillis() {
    List<HistoryEvent> last = executions.get(executions.size() - 1);
    return millis(last.get(last.size() - 1)) - millis(executions.get(0).get(0));
  }

  /**
   * The round's time outside its shard windows, in order: from the round's start to the first
   * window, between consecutive windows (named "after &lt;type&gt;"), and from the last window to
   * the round's close. That is where the control steps, training and child/parent traffic go.
   */
  Map<String, Long> gapsMillis(List<ShardWindow> windows) {
    Map<String, Long> out = new LinkedHashMap<>();
    List<HistoryEvent> last = executions.get(executions.size() - 1);
    long start = millis(executions.get(0).get(0));
    long end = millis(last.get(last.size() - 1));
    long cursor = start;
    String label = "before the first shards";
    for (ShardWindow w : windows) {
      out.put(label, Math.max(0, w.firstScheduledMs() - cursor));
      cursor = w.lastCompletedMs();
      label = "after " + w.activityType();
    }
    out.put(label + " (to the round's close)", Math.max(0, end - cursor));
    return out;
  }

  /** Activities scheduled on {@code taskQueue}, per activity type, in order of first scheduling. */
  List<ShardWindow> windows(String taskQueue) {
    Map<String, long[]> byType = new TreeMap<>(); // type -> {count, first scheduled, last completed}
    List<String> order = new ArrayList<>();
    for (List<HistoryEvent> events : executions) {
      Map<Long, String> scheduled = new HashMap<>();
      for (HistoryEvent e : events) {
        if (e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) {
          var a = e.getActivityTaskScheduledEventAttributes();
          if (!a.getTaskQueue().getName().equals(taskQueue)) {
            continue;
          }
          String type = a.getActivityType().getName();
          scheduled.put(e.getEventId(), type);
          long[] w = byType.computeIfAbsent(type, t -> {
            order.add(t);
            return new long[] {0, Long.MAX_VALUE, Long.MIN_VALUE};
          });
          w[0]++;
          w[1] = Math.min(w[1], millis(e));
        } else if (e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED) {
          String type = scheduled.get(e.getActivityTaskCompletedEventAttributes().getScheduledEventId());
          if (type != null) {
            long[] w = byType.get(type);
            w[2] = Math.max(w[2], millis(e));
          }
        }
      }
    }
    List<ShardWindow> out = new ArrayList<>();
    for (String type : order) {
      long[] w = byType.get(type);
      out.add(new ShardWindow(type, (int) w[0], w[1], w[2]));
    }
    return out;
  }

  /**
   * Where a shard's slot time goes besides its work, means over the shards on {@code taskQueue}:
   * from the completion that frees a window place to the scheduling of the next shard of the stage
   * (the workflow task that reacts to it), and from a shard's scheduling to its completion beyond
   * {@code workMs} (dispatch to a worker, running, reporting). The in-memory server's
   * ActivityTaskStarted times are not used: they do not mark when the worker started.
   */
  record Latencies(double completionToScheduleMs, double scheduleToCloseOverheadMs) {}

  Latencies latencies(String taskQueue, long workMs) {
    double refill = 0;
    long refills = 0;
    double overhead = 0;
    long shards = 0;
    for (List<HistoryEvent> events : executions) {
      Map<Long, String> typeOf = new HashMap<>();
      Map<Long, Long> scheduledAt = new HashMap<>();
      Map<String, Long> lastCompletion = new HashMap<>();
      for (HistoryEvent e : events) {
        if (e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) {
          var a = e.getActivityTaskScheduledEventAttributes();
          if (!a.getTaskQueue().getName().equals(taskQueue)) {
            continue;
          }
          String type = a.getActivityType().getName();
          typeOf.put(e.getEventId(), type);
          scheduledAt.put(e.getEventId(), micros(e));
          Long freed = lastCompletion.get(type);
          if (freed != null) {
            refill += (micros(e) - freed) / 1000.0;
            refills++;
          }
        } else if (e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED) {
          var a = e.getActivityTaskCompletedEventAttributes();
          String type = typeOf.get(a.getScheduledEventId());
          if (type != null) {
            lastCompletion.put(type, micros(e));
            overhead += (micros(e) - scheduledAt.get(a.getScheduledEventId())) / 1000.0 - workMs;
            shards++;
          }
        }
      }
    }
    return new Latencies(refills == 0 ? 0 : refill / refills, shards == 0 ? 0 : overhead / shards);
  }

  private static long micros(HistoryEvent e) {
    return e.getEventTime().getSeconds() * 1_000_000 + e.getEventTime().getNanos() / 1_000;
  }

  private static long millis(HistoryEvent e) {
    return e.getEventTime().getSeconds() * 1000 + e.getEventTime().getNanos() / 1_000_000;
  }
}
