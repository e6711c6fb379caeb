package selflengthen.activities.support;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import selflengthen.store.DataStore;
import selflengthen.store.StoreException;
import selflengthen.v1.RunSpec;
import selflengthen.v1.SpecRef;
import selflengthen.v1.StageContext;

/**
 * Fills in the spec of stage inputs that carry it by reference ({@link StageContext#getSpecRef()}),
 * so activities always see {@code context.spec}. The workflows send a reference once prepare has
 * written the spec's file: a resolved spec is a few kilobytes of JSON, and every shard of every
 * stage carried a copy in the round's history and through the payload converter.
 *
 * <p>Specs are kept by SHA-256 (a run has one; a process serves a few runs), so a worker reads
 * each file once. Thread-safe.
 */
public final class SpecSnapshots {
  /** Specs kept in memory: far more than the runs one worker serves at a time. */
  static final int CACHED = 64;

  private final Map<String, RunSpec> bySha =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, RunSpec> eldest) {
          return size() > CACHED;
        }
      };

  public SpecSnapshots() {}

  /**
   * {@code argument} with the spec of its {@code context} (a {@link StageContext}) read from its
   * reference; anything else (no context, or the spec inline) comes back as it is.
   */
  public Object resolve(Object argument) {
    if (!(argument instanceof Message message)) {
      return argument;
    }
    FieldDescriptor field = message.getDescriptorForType().findFieldByName("context");
    if (field == null
        || field.getJavaType() != FieldDescriptor.JavaType.MESSAGE
        || field.isRepeated()
        || !field.getMessageType().equals(StageContext.getDescriptor())
        || !message.hasField(field)) {
      return argument;
    }
    StageContext context = (StageContext) message.getField(field);
    if (!context.hasSpecRef()) {
      return argument;
    }
    StageContext full = context.toBuilder().setSpec(read(context.getSpecRef())).clearSpecRef().build();
    return message.toBuilder().setField(field, full).build();
  }

  /**
   * The spec a reference names.
   *
   * @throws ApplicationFailure non-retryable {@code BAD_INPUT} when the file's bytes are not the
   *     ones named (changed after prepare) or the reference is malformed; retryable when the file
   *     cannot be read here (another worker may share the data root)
   */
  public RunSpec read(SpecRef ref) {
    synchronized (bySha) {
      RunSpec known = bySha.get(ref.getSha256());
      if (known != null) {
        return known;
      }
    }
    RunSpec spec = load(ref);
    synchronized (bySha) {
      bySha.put(ref.getSha256(), spec);
    }
    return spec;
  }

  private RunSpec load(SpecRef ref) {
    if (ref.getDataRoot().isBlank() || ref.getPath().isBlank() || ref.getSha256().isBlank()) {
      throw ActivityErrors.badInput("context.spec_ref: data_root, path and sha256 are all required (got "
          + ref.getDataRoot() + "|" + ref.getPath() + "|" + ref.getSha256() + ")");
    }
    Path root;
    try {
      root = Path.of(ref.getDataRoot());
    } catch (InvalidPathException e) {
      throw ActivityErrors.badInput("context.spec_ref.data_root: not a valid path: '" + ref.getDataRoot() + "'");
    }
    DataStore store;
    try {
      // Never created here: a worker that lacks the run's data root says so.
      store = DataStore.openExisting(root);
    } catch (StoreException e) {
      throw unreadable(ref, e);
    }
    try {
      return store.readSpecSnapshot(ref);
    } catch (StoreException e) {
      // An I/O failure may pass (a mount coming back); other bytes, an unsafe path or a file that
      // is not a spec will not.
      if (e.getCause() instanceof IOException) {
        throw unreadable(ref, e);
      }
      throw ActivityErrors.badInput("context.spec_ref: " + e.getMessage(), e);
    }
  }

  private static ApplicationFailure unreadable(SpecRef ref, StoreException e) {
    return ApplicationFailure.newFailureWithCause(
        "context.spec_ref: " + e.getMessage() + " (every worker must see the run's data root "
            + ref.getDataRoot() + ")",
        "SpecUnreadable",
        e);
  }
}
