package selflengthen.workers.server;

import io.grpc.BindableService;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.api.workflowservice.v1.CountWorkflowExecutionsRequest;
import io.temporal.api.workflowservice.v1.CountWorkflowExecutionsResponse;
import io.temporal.api.workflowservice.v1.ListClosedWorkflowExecutionsRequest;
import io.temporal.api.workflowservice.v1.ListClosedWorkflowExecutionsResponse;
import io.temporal.api.workflowservice.v1.ListOpenWorkflowExecutionsRequest;
import io.temporal.api.workflowservice.v1.ListOpenWorkflowExecutionsResponse;
import io.temporal.api.workflowservice.v1.ListWorkflowExecutionsRequest;
import io.temporal.api.workflowservice.v1.ListWorkflowExecutionsResponse;
import io.temporal.api.workflowservice.v1.WorkflowServiceGrpc;
import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * ListWorkflowExecutions and CountWorkflowExecutions for the in-memory server, which answers them
 * UNIMPLEMENTED: {@code temporal workflow list}, the Web UI and the SDKs' {@code list()} call them.
 * They are answered from the server's own ListOpen/ListClosedWorkflowExecutions, filtered here by
 * the visibility queries these tools send: conditions on WorkflowType, WorkflowId, RunId,
 * TaskQueue and ExecutionStatus with {@code =} or {@code !=}, joined by AND, and an optional ORDER
 * BY (results always come newest first). Any other query is refused with INVALID_ARGUMENT naming
 * what is supported, never answered wrongly.
 */
final class VisibilityQueries {
  private static final Pattern CONDITION =
      Pattern.compile("\\s*(\\w+)\\s*(=|!=)\\s*(?:'([^']*)'|\"([^\"]*)\")\\s*");
  private static final Pattern ORDER_BY = Pattern.compile("(?is)\\s+order\\s+by\\s+.*$|^\\s*order\\s+by\\s+.*$");
  private static final String SUPPORTED =
      "the embedded dev server supports queries on WorkflowType, WorkflowId, RunId, TaskQueue and"
          + " ExecutionStatus with = or != joined by AND";

  private final WorkflowServiceGrpc.WorkflowServiceImplBase server;

  private VisibilityQueries(WorkflowServiceGrpc.WorkflowServiceImplBase server) {
    this.server = server;
  }

  /** The server's services with its workflow service answering list and count. */
  static List<BindableService> wrap(List<BindableService> services, WorkflowServiceGrpc.WorkflowServiceImplBase workflows) {
    List<BindableService> out = new ArrayList<>();
    for (BindableService s : services) {
      out.add(s == workflows ? new VisibilityQueries(workflows).definition()::get : s);
    }
    return out;
  }

  private AtomicReference<ServerServiceDefinition> definition() {
    ServerServiceDefinition original = server.bindService();
    ServerServiceDefinition.Builder b = ServerServiceDefinition.builder(original.getServiceDescriptor());
    String list = WorkflowServiceGrpc.getListWorkflowExecutionsMethod().getFullMethodName();
    String count = WorkflowServiceGrpc.getCountWorkflowExecutionsMethod().getFullMethodName();
    for (ServerMethodDefinition<?, ?> m : original.getMethods()) {
      String name = m.getMethodDescriptor().getFullMethodName();
      if (name.equals(list)) {
        b.addMethod(WorkflowServiceGrpc.getListWorkflowExecutionsMethod(), ServerCalls.asyncUnaryCall(this::list));
      } else if (name.equals(count)) {
        b.addMethod(WorkflowServiceGrpc.getCountWorkflowExecutionsMethod(), ServerCalls.asyncUnaryCall(this::count));
      } else {
        b.addMethod(m);
      }
    }
    return new AtomicReference<>(b.build());
  }

  void list(ListWorkflowExecutionsRequest request, StreamObserver<ListWorkflowExecutionsResponse> out) {
    List<WorkflowExecutionInfo> all;
    try {
      all = matching(request.getNamespace(), request.getQuery());
    } catch (RuntimeException e) {
      out.onError(asStatus(e));
      return;
    }
    int offset = request.getNextPageToken().isEmpty() ? 0 : Integer.parseInt(request.getNextPageToken().toStringUtf8());
    int size = request.getPageSize() > 0 ? request.getPageSize() : 1000;
    int end = Math.min(all.size(), offset + size);
    ListWorkflowExecutionsResponse.Builder r =
        ListWorkflowExecutionsResponse.newBuilder().addAllExecutions(all.subList(Math.min(offset, end), end));
    if (end < all.size()) {
      r.setNextPageToken(ByteString.copyFromUtf8(Integer.toString(end)));
    }
    out.onNext(r.build());
    out.onCompleted();
  }

  void count(CountWorkflowExecutionsRequest request, StreamObserver<CountWorkflowExecutionsResponse> out) {
    try {
      long n = matching(request.getNamespace(), request.getQuery()).size();
      out.onNext(CountWorkflowExecutionsResponse.newBuilder().setCount(n).build());
      out.onCompleted();
    } catch (RuntimeException e) {
      out.onError(asStatus(e));
    }
  }

  private List<WorkflowExecutionInfo> matching(String namespace, String query) {
    Predicate<WorkflowExecutionInfo> filter = parse(query);
    List<WorkflowExecutionInfo> all = new ArrayList<>();
    AtomicReference<Throwable> failed = new AtomicReference<>();
    server.listOpenWorkflowExecutions(
        ListOpenWorkflowExecutionsRequest.newBuilder().setNamespace(namespace).build(),
        collect(failed, (ListOpenWorkflowExecutionsResponse r) -> r.getExecutionsList().forEach(
            i -> all.add(i.getStatus() == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_UNSPECIFIED
                ? i.toBuilder().setStatus(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING).build() : i))));
    server.listClosedWorkflowExecutions(
        ListClosedWorkflowExecutionsRequest.newBuilder().setNamespace(namespace).build(),
        collect(failed, (ListClosedWorkflowExecutionsResponse r) -> all.addAll(r.getExecutionsList())));
    if (failed.get() != null) {
      throw failed.get() instanceof RuntimeException re ? re : new IllegalStateException(failed.get());
    }
    return all.stream()
        .filter(filter)
        .sorted(Comparator.comparing((WorkflowExecutionInfo i) -> i.getStartTime().getSeconds())
            .thenComparing(i -> i.getStartTime().getNanos()).reversed())
        .toList();
  }

  /** The query as a filter; an empty query matches everything. */
  static Predicate<WorkflowExecutionInfo> parse(String query) {
    String q = ORDER_BY.matcher(query == null ? "" : query).replaceFirst("").strip();
    Predicate<WorkflowExecutionInfo> all = i -> true;
    if (q.isEmpty()) {
      return all;
    }
    for (String part : q.split("(?i)\\s+and\\s+")) {
      Matcher m = CONDITION.matcher(part);
      if (!m.matches()) {
        throw new IllegalArgumentException(SUPPORTED + " (cannot read: '" + part.strip() + "')");
      }
      String value = m.group(3) != null ? m.group(3) : m.group(4);
      Predicate<WorkflowExecutionInfo> p = condition(m.group(1), value);
      all = all.and(m.group(2).equals("=") ? p : p.negate());
    }
    return all;
  }

  private static Predicate<WorkflowExecutionInfo> condition(String field, String value) {
    return switch (field) {
      case "WorkflowType" -> i -> i.getType().getName().equals(value);
      case "WorkflowId" -> i -> i.getExecution().getWorkflowId().equals(value);
      case "RunId" -> i -> i.getExecution().getRunId().equals(value);
      case "TaskQueue" -> i -> i.getTaskQueue().equals(value);
      case "ExecutionStatus" -> {
        String wanted = value.replace("_", "").toLowerCase(Locale.ROOT);
        yield i -> i.getStatus().name().replace("WORKFLOW_EXECUTION_STATUS_", "").replace("_", "")
            .toLowerCase(Locale.ROOT).equals(wanted);
      }
      default -> throw new IllegalArgumentException(SUPPORTED + " (got the field '" + field + "')");
    };
  }

  private static <T> StreamObserver<T> collect(AtomicReference<Throwable> failed, java.util.function.Consumer<T> sink) {
    return new StreamObserver<>() {
      @Override
      public void onNext(T value) {
        sink.accept(value);
      }

      @Override
      public void onError(Throwable t) {
        failed.set(t);
      }

      @Override
      public void onCompleted() {}
    };
  }

  private static Throwable asStatus(RuntimeException e) {
    if (e instanceof io.grpc.StatusRuntimeException) {
      return e;
    }
    return Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException();
  }
}
