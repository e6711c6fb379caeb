package selflengthen.activities.models;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import selflengthen.activities.Roles;
import selflengthen.activities.support.ActivityErrors;
import selflengthen.store.DataStore;
import selflengthen.store.ModelVersion;
import selflengthen.store.UnsafePathException;
import selflengthen.v1.AdapterRef;
import selflengthen.v1.ModelRef;
import selflengthen.v1.RunSpec;

/**
 * Which model and adapter serve a role: the role's {@link ModelRef} from the spec, and the adapter
 * a task names (a round's trained adapter, by path under the data root) or else the ref's own
 * starting adapter. A full-model "adapter" (full fine-tuning) replaces the checkpoint instead.
 */
public final class RoleModels {
  /**
   * A role resolved to a checkpoint (or endpoint) and an absolute adapter directory (null: none).
   */
  public record Resolved(ModelRef ref, String adapter) {
    /** What the lineage records: the checkpoint (or endpoint model) and the adapter. */
    public ModelVersion version() {
      String model = ref.getEndpoint().isEmpty() ? ref.getPath() : ref.getModelName();
      return new ModelVersion(model, adapter == null ? "" : adapter);
    }
  }

  private RoleModels() {}

  /** The spec's ref of a role: "generator", "extender" or "judge". */
  public static ModelRef ref(RunSpec spec, String role) {
    return switch (role) {
      case Roles.GENERATOR -> spec.getModels().getGenerator();
      case Roles.EXTENDER -> spec.getModels().getExtender();
      case "judge" -> spec.getModels().getJudge();
      case "length_control" -> spec.getModels().getLengthControl();
      default -> throw ActivityErrors.badInput("unknown role '" + role + "' (expected generator or extender)");
    };
  }

  /** A role with the task's adapter, when set, else the role's starting adapter. */
  public static Resolved resolve(DataStore store, RunSpec spec, String role, AdapterRef adapter) {
    ModelRef ref = ref(spec, role);
    if (adapter != null && !adapter.getPath().isEmpty()) {
      String dir = underRoot(store, adapter.getPath(), role + " adapter");
      if (adapter.getFullModel()) {
        if (!ref.getEndpoint().isEmpty()) {
          throw ActivityErrors.badInput("models." + role + ": the endpoint " + ref.getEndpoint()
              + " cannot switch to the fully fine-tuned model " + dir + "; use LoRA (training.method)"
              + " with endpoint roles, or serve that checkpoint and name it in the spec");
        }
        return new Resolved(ref.toBuilder().setPath(dir).setAdapter("").build(), null);
      }
      return new Resolved(ref, dir);
    }
    return new Resolved(ref, startingAdapter(store, ref, "models." + role + ".adapter"));
  }

  /** The ref's own adapter as an absolute directory: absolute as written, else under the data root. */
  public static String startingAdapter(DataStore store, ModelRef ref, String field) {
    if (ref.getAdapter().isBlank()) {
      return null;
    }
    try {
      Path p = Path.of(ref.getAdapter());
      if (p.isAbsolute()) {
        return p.normalize().toString();
      }
    } catch (InvalidPathException e) {
      throw ActivityErrors.badInput(field + ": not a valid path: '" + ref.getAdapter() + "'");
    }
    return underRoot(store, ref.getAdapter(), field);
  }

  private static String underRoot(DataStore store, String relative, String what) {
    try {
      return store.resolve(relative).toString();
    } catch (UnsafePathException e) {
      throw ActivityErrors.badInput(what + ": " + e.getMessage(), e);
    }
  }
}
