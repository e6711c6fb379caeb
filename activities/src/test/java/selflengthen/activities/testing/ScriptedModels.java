package selflengthen.activities.testing;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import selflengthen.activities.models.ModelProvider;
import selflengthen.model.api.LanguageModel;
import selflengthen.v1.ModelRef;

/** Serves one {@link ScriptedModel} for every ref and records which refs were asked for. */
public final class ScriptedModels implements ModelProvider {
  public final ScriptedModel model;
  public final List<ModelRef> served = Collections.synchronizedList(new ArrayList<>());
  public final List<String> checked = Collections.synchronizedList(new ArrayList<>());

  public ScriptedModels(ScriptedModel model) {
    this.model = model;
  }

  public ScriptedModels() {
    this(new ScriptedModel());
  }

  @Override
  public LanguageModel model(ModelRef ref, int maxBatchSize) {
    served.add(ref);
    return model;
  }

  @Override
  public void check(String field, ModelRef ref) {
    checked.add(field);
  }
}
