package selflengthen.activities.support;

import selflengthen.method.LanguageProfile;
import selflengthen.method.PromptSet;
import selflengthen.method.ResponseCheck;
import selflengthen.v1.RunSpec;

/** The method's language profile, prompts and response check for a run's spec. */
public record MethodSetup(LanguageProfile profile, PromptSet prompts, ResponseCheck check) {

  /**
   * @throws io.temporal.failure.ApplicationFailure BAD_INPUT naming the prompt override or the
   *     response-check field that cannot be used
   */
  public static MethodSetup of(RunSpec spec) {
    LanguageProfile profile;
    try {
      profile = LanguageProfile.of(spec.getLanguage());
    } catch (IllegalArgumentException e) {
      throw ActivityErrors.badInput("language: " + e.getMessage());
    }
    PromptSet prompts;
    try {
      prompts = PromptSet.of(profile, spec.getPromptOverridesMap());
    } catch (IllegalArgumentException e) {
      throw ActivityErrors.badInput("prompt_overrides: " + e.getMessage());
    }
    ResponseCheck check;
    try {
      check = ResponseCheck.of(profile, spec.getResponseCheck());
    } catch (IllegalArgumentException e) {
      throw ActivityErrors.badInput("response_check: " + e.getMessage());
    }
    return new MethodSetup(profile, prompts, check);
  }
}
