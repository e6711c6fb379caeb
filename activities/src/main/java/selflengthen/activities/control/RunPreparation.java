package selflengthen.activities.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.temporal.failure.ApplicationFailure;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import selflengthen.activities.CallIds;
import selflengthen.activities.RunPaths;
import selflengthen.activities.Stages;
import selflengthen.activities.models.CheckpointFiles;
import selflengthen.activities.models.ModelProvider;
import selflengthen.activities.rows.PoolRow;
import selflengthen.activities.support.ActivityErrors;
import selflengthen.activities.support.DataRoots;
import selflengthen.activities.support.EvalDatasets;
import selflengthen.activities.support.Lineages;
import selflengthen.activities.support.MethodSetup;
import selflengthen.spec.SeedLanguage;
import selflengthen.spec.SpecDefaults;
import selflengthen.spec.SpecProblem;
import selflengthen.spec.SpecValidationException;
import selflengthen.spec.SpecValidator;
import selflengthen.store.Checksums;
import selflengthen.store.DamagedManifestException;
import selflengthen.store.DataStore;
import selflengthen.store.InputRef;
import selflengthen.store.Layout;
import selflengthen.store.ManifestEntry;
import selflengthen.v1.DatasetRef;
import selflengthen.v1.ModelRef;
import selflengthen.v1.PreparedRun;
import selflengthen.v1.RunSpec;
import selflengthen.v1.SpecRef;
import selflengthen.v1.StageContext;

/**
 * prepareRun: resolve and check the spec, then set the run up in the store.
 *
 * <ol>
 *   <li>Rules of the spec alone (SpecValidator's structural checks) fail with
 *       {@code SPEC_VALIDATION}, naming every broken field.
 *   <li>Inputs that cannot be used fail with {@code BAD_INPUT}, every one named: the seed and
 *       held-out files (missing, empty, rows without an instruction), checkpoint directories
 *       (missing, no config.json or tokenizer.json, not readable by the engine), prompt overrides
 *       without their placeholders, a data root that cannot be created or written.
 *   <li>spec.json (and its copy named by its SHA-256, which stage inputs refer to), the held-out
 *       set, the starting pool and spec.evaluation's benchmark rows are written; the pool,
 *       held-out set and benchmark rows are kept when the manifest already records them (a
 *       resumed run keeps what its rounds used).
 *   <li>The run's state is recovered from the manifest ({@link RunRecovery}).
 * </ol>
 */
final class RunPreparation {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final DataRoots roots;
  private final ModelProvider models;

  RunPreparation(DataRoots roots, ModelProvider models) {
    this.roots = roots;
    this.models = models;
  }

  PreparedRun prepare(RunSpec input) {
    if (input.getDataRoot().isBlank()) {
      // Every later activity reads the root from the prepared spec: the same on every worker.
      input = input.toBuilder().setDataRoot(roots.defaultRoot().toString()).build();
    }
    RunSpec spec;
    try {
      spec = SpecDefaults.resolve(SeedLanguage.apply(input));
    } catch (SpecValidationException e) {
      throw ActivityErrors.specValidation(e.getMessage());
    }
    List<SpecProblem> structural = new ArrayList<>(SpecValidator.structuralProblems(spec));
    if (!structural.isEmpty()) {
      throw ActivityErrors.specValidation(new SpecValidationException(structural).getMessage());
    }
    DataStore store = checkInputs(spec);
    try {
      store.checkManifest(spec.getRunId());
    } catch (DamagedManifestException e) {
      throw ActivityErrors.badInput(e.getMessage());
    }
    String specPath = store.writeSpec(spec);
    SpecRef specRef = store.writeSpecSnapshot(spec);
    Seeds seeds = seeds(store, spec);
    if (!spec.getEvaluation().getDataset().isBlank()) {
      StageContext context =
          StageContext.newBuilder().setSpec(spec).setRound(0).setStage(Stages.PREPARE)
              .setCallId(CallIds.stage(spec.getRunId(), 0, Stages.PREPARE)).build();
      EvalDatasets.ensure(store, context, spec.getEvaluation().getDataset(), RunPaths.evalDataset(spec.getRunId()));
    }
    return PreparedRun.newBuilder()
        .setSpec(spec)
        .setSpecPath(specPath)
        .setSpecRef(specRef)
        .setState(RunRecovery.recover(store, spec))
        .setSeedPool(seeds.pool())
        .setHeldOut(seeds.heldOut())
        .build();
  }

  /** Every problem with the files and models the spec names, at once; the store when there is none. */
  private DataStore checkInputs(RunSpec spec) {
    List<SpecProblem> problems = new ArrayList<>(SpecValidator.fileProblems(spec));
    try {
      int takes = MethodSetup.of(spec).prompts().selfInstructExamples();
      int fewShot = spec.getSelfInstruct().getFewShot();
      if (takes != fewShot) {
        problems.add(new SpecProblem("self_instruct.few_shot", "the self_instruct prompt takes " + takes
            + " examples ({example1}..{example" + takes + "}) but few_shot is " + fewShot
            + "; set few_shot to " + takes + " or override the prompt with {example1}..{example" + fewShot + "}"));
      }
    } catch (ApplicationFailure e) {
      problems.add(new SpecProblem("prompt_overrides", strip(e.getOriginalMessage(), "prompt_overrides: ")));
    }
    Map<String, String> checkpoints = checkpoints(spec);
    for (Map.Entry<String, String> c : checkpoints.entrySet()) {
      boolean named = problems.stream().anyMatch(p -> p.message().contains(c.getValue()));
      if (!named) {
        CheckpointFiles.problem(c.getValue()).ifPresent(p -> problems.add(new SpecProblem(c.getKey(), p)));
      }
    }
    if (problems.isEmpty()) {
      for (String role : List.of("generator", "extender", "judge")) {
        ModelRef ref = roleRef(spec, role);
        try {
          models.check("models." + role, ref);
        } catch (ApplicationFailure e) {
          problems.add(new SpecProblem("models." + role, e.getOriginalMessage()));
        }
      }
    }
    // The store (and its directory) is made only for a run that can start: nothing is written else.
    DataStore store = null;
    if (problems.isEmpty()) {
      try {
        store = roots.store(spec);
      } catch (ApplicationFailure e) {
        problems.add(new SpecProblem("data_root", strip(e.getOriginalMessage(), "data_root: ")));
      }
    }
    if (!problems.isEmpty()) {
      String list = String.join("; ", problems.stream().map(SpecProblem::toString).toList());
      throw ActivityErrors.badInput("unusable run inputs (" + problems.size()
          + (problems.size() == 1 ? " problem): " : " problems): ") + list);
    }
    return store;
  }

  /** In-process checkpoint directories by the field that names them, each directory once. */
  private static Map<String, String> checkpoints(RunSpec spec) {
    Map<String, String> byField = new LinkedHashMap<>();
    String base = spec.getModels().getBaseModel();
    if (!base.isBlank()) {
      byField.put("models.base_model", base);
    }
    for (String role : List.of("generator", "extender", "judge")) {
      ModelRef ref = roleRef(spec, role);
      if (ref.getEndpoint().isEmpty() && !ref.getPath().isBlank() && !byField.containsValue(ref.getPath())) {
        byField.put("models." + role + ".path", ref.getPath());
      }
    }
    return byField;
  }

  private static ModelRef roleRef(RunSpec spec, String role) {
    return switch (role) {
      case "generator" -> spec.getModels().getGenerator();
      case "extender" -> spec.getModels().getExtender();
      default -> spec.getModels().getJudge();
    };
  }

  record Seeds(DatasetRef pool, DatasetRef heldOut) {}

  /** The starting pool and the held-out set: recorded ones are kept, else made from the seed files. */
  private static Seeds seeds(DataStore store, RunSpec spec) {
    String run = spec.getRunId();
    String poolPath = RunPaths.seedPool(run);
    String heldOutPath = RunPaths.heldOut(run);
    Optional<DatasetRef> pool = recorded(store, poolPath);
    Optional<DatasetRef> heldOut = recorded(store, heldOutPath);
    if (pool.isPresent() && heldOut.isPresent()) {
      return new Seeds(pool.get(), heldOut.get());
    }
    String seedFile = spec.getSelfInstruct().getSeedFile();
    List<String> seeds = instructions(seedFile, "self_instruct.seed_file");
    int heldOutCount = spec.getMeasurement().getHeldOutCount();
    List<String> held;
    List<String> poolRows;
    List<InputRef> inputs = new ArrayList<>(List.of(input(seedFile)));
    String tasksFile = spec.getMeasurement().getTasksFile().isBlank()
        ? spec.getMeasurement().getHeldOutFile() : spec.getMeasurement().getTasksFile();
    if (!tasksFile.isBlank()) {
      List<String> all = instructions(tasksFile, "measurement.tasks_file");
      held = all.subList(0, Math.min(heldOutCount, all.size()));
      poolRows = seeds;
      inputs.add(input(tasksFile));
    } else if (spec.getMeasurement().getHoldOutSeeds()) {
      // Option: the measured seeds leave the pool (the project's earlier default).
      held = seeds.subList(0, Math.min(heldOutCount, seeds.size()));
      poolRows = seeds.subList(held.size(), seeds.size());
    } else {
      // Default: measure on seeds but keep every seed in the pool; the measurement then tracks the
      // model's lengths on tasks it also sees as examples (never as training targets).
      held = seeds.subList(0, Math.min(heldOutCount, seeds.size()));
      poolRows = seeds;
    }
    StageContext context =
        StageContext.newBuilder().setSpec(spec).setRound(0).setStage(Stages.PREPARE)
            .setCallId(CallIds.stage(run, 0, Stages.PREPARE)).build();
    DatasetRef heldRef =
        store.writeJsonl(heldOutPath, held.stream().map(i -> new PoolRow(i, "held_out")).toList());
    DatasetRef poolRef =
        store.writeJsonl(poolPath, poolRows.stream().map(i -> new PoolRow(i, "seed")).toList());
    store.record(heldRef, Lineages.of(context, inputs));
    store.record(poolRef, Lineages.of(context, inputs));
    return new Seeds(poolRef, heldRef);
  }

  private static Optional<DatasetRef> recorded(DataStore store, String path) {
    Optional<ManifestEntry> e = store.manifest(runOf(path)).latest(path);
    if (e.isEmpty() || !store.isComplete(path)) {
      return Optional.empty();
    }
    return Optional.of(
        DatasetRef.newBuilder().setPath(path).setCount(e.get().rows()).setSha256(e.get().sha256()).build());
  }

  /** The instructions of a seed or held-out file (checked readable by the validator). */
  private static List<String> instructions(String file, String field) {
    List<String> out = new ArrayList<>();
    int lineNo = 0;
    try (BufferedReader in = Files.newBufferedReader(Path.of(file), StandardCharsets.UTF_8)) {
      for (String line; (line = in.readLine()) != null; ) {
        lineNo++;
        if (line.isBlank()) {
          continue;
        }
        JsonNode row = JSON.readTree(line);
        String text = SpecValidator.instruction(row);
        if (text == null) {
          throw ActivityErrors.badInput(field + ": " + file + " line " + lineNo + " has no instruction");
        }
        out.add(text);
      }
    } catch (IOException e) {
      throw ActivityErrors.badInput(field + ": cannot read " + file + ": " + e.getMessage(), e);
    }
    if (out.isEmpty()) {
      throw ActivityErrors.badInput(field + ": " + file + " holds no instructions");
    }
    return out;
  }

  private static InputRef input(String file) {
    try {
      return new InputRef(Path.of(file).toAbsolutePath().normalize().toString(), Checksums.sha256(Path.of(file)));
    } catch (IOException e) {
      throw ActivityErrors.badInput("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  private static String strip(String message, String prefix) {
    return message.startsWith(prefix) ? message.substring(prefix.length()) : message;
  }

  /** The run id of a path under runs/. */
  private static String runOf(String path) {
    return Layout.runOf(path).orElseThrow();
  }
}
