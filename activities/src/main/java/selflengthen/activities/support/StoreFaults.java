package selflengthen.activities.support;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.temporal.failure.ApplicationFailure;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.ReadOnlyFileSystemException;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import selflengthen.store.DamagedManifestException;
import selflengthen.v1.StageContext;

/**
 * Data store faults that no retry cures: a permission denied, a full disk or quota, a read-only
 * file system. Retried, such an activity fails the same way for minutes while the run looks
 * alive; here it fails at once, non-retryable, with where it happened (run, round, stage, shard,
 * path) and what to do.
 */
public final class StoreFaults {
  /** The failure type of a deterministic store fault (non-retryable). */
  public static final String STORE_FAULT = "StoreFault";

  private static final Pattern SHARD = Pattern.compile("/shard-(\\d+)$");

  private StoreFaults() {}

  /** Why {@code failure} cannot be cured by a retry, or empty when it might be. */
  public static Optional<String> deterministicCause(Throwable failure) {
    int depth = 0;
    for (Throwable c = failure; c != null && depth < 32; c = c.getCause(), depth++) {
      if (c instanceof AccessDeniedException denied) {
        return Optional.of("permission denied" + onFile(denied));
      }
      if (c instanceof DamagedManifestException) {
        return Optional.of("damaged manifest");
      }
      if (c instanceof ReadOnlyFileSystemException) {
        return Optional.of("read-only file system");
      }
      String message = c.getMessage() == null ? "" : c.getMessage().toLowerCase(Locale.ROOT);
      String file = c instanceof FileSystemException fs ? onFile(fs) : "";
      if (message.contains("no space left on device")) {
        return Optional.of("disk full (no space left on device)" + file);
      }
      if (message.contains("disk quota exceeded")) {
        return Optional.of("disk quota exceeded" + file);
      }
      if (message.contains("read-only file system")) {
        return Optional.of("read-only file system" + file);
      }
      if (message.contains("permission denied")) {
        return Optional.of("permission denied" + file);
      }
    }
    return Optional.empty();
  }

  /**
   * The non-retryable failure for a deterministic store fault of an activity, or empty when
   * {@code failure} is not one. {@code arguments} are the activity's: a task carrying a
   * StageContext names the run, round, stage and shard.
   */
  public static Optional<ApplicationFailure> failure(
      String activityType, Object[] arguments, Throwable failure) {
    if (failure instanceof ApplicationFailure) {
      return Optional.empty();
    }
    return deterministicCause(failure)
        .map(
            reason ->
                ApplicationFailure.newNonRetryableFailureWithCause(
                    where(activityType, arguments)
                        + ": "
                        + message(failure)
                        + " ["
                        + reason
                        + "]; not retried: fix the data store, then `selflengthen resume "
                        + run(arguments)
                        + "`",
                    STORE_FAULT,
                    failure));
  }

  private static String where(String activityType, Object[] arguments) {
    StageContext context = context(arguments);
    if (context == null) {
      return "activity " + activityType;
    }
    StringBuilder where = new StringBuilder("run ").append(context.getSpec().getRunId());
    if (context.getRound() > 0) {
      where.append(", round ").append(context.getRound());
    }
    if (!context.getStage().isEmpty()) {
      where.append(", stage ").append(context.getStage());
    }
    Matcher shard = SHARD.matcher(context.getCallId());
    if (shard.find()) {
      where.append(", shard ").append(Integer.parseInt(shard.group(1)));
    }
    return where.append(" (activity ").append(activityType).append(')').toString();
  }

  private static String run(Object[] arguments) {
    StageContext context = context(arguments);
    return context == null || context.getSpec().getRunId().isEmpty()
        ? "RUN"
        : context.getSpec().getRunId();
  }

  /** The StageContext an activity's task carries in its {@code context} field, if any. */
  private static StageContext context(Object[] arguments) {
    if (arguments == null) {
      return null;
    }
    for (Object argument : arguments) {
      if (argument instanceof StageContext c) {
        return c;
      }
      if (argument instanceof Message m) {
        FieldDescriptor field = m.getDescriptorForType().findFieldByName("context");
        if (field != null && m.getField(field) instanceof StageContext c) {
          return c;
        }
      }
    }
    return null;
  }

  private static String message(Throwable t) {
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }

  private static String onFile(FileSystemException e) {
    return e.getFile() == null ? "" : " on " + e.getFile();
  }
}
