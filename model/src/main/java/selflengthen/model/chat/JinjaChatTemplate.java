package selflengthen.model.chat;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import selflengthen.model.api.ChatMessage;
import selflengthen.model.api.ChatTemplate;

/**
 * A Hugging Face chat template rendered with Jinjava under the settings transformers uses for
 * apply_chat_template: trim_blocks and lstrip_blocks on, the template's final newline dropped
 * (jinja2's keep_trailing_newline=False; all whitespace rules are applied by
 * {@link JinjaWhitespace} because Jinjava's differ from jinja2's), special tokens (bos_token, eos_token, ...) as
 * variables, tools=None, and the raise_exception / strftime_now functions.
 */
public final class JinjaChatTemplate implements ChatTemplate {
  private final String template;
  private final Map<String, Object> globals;
  private final Jinjava jinjava;

  public JinjaChatTemplate(String template, Map<String, String> specialTokens) {
    this.template = JinjaWhitespace.apply(template);
    this.globals = new HashMap<>(specialTokens);
    JinjavaConfig config = JinjavaConfig.newBuilder()
        .withTrimBlocks(false)
        .withLstripBlocks(false)
        .withFailOnUnknownTokens(false)
        .build();
    this.jinjava = new Jinjava(config);
    jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition(
        "", "raise_exception", TemplateFunctions.class, "raiseException", String.class));
    jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition(
        "", "strftime_now", TemplateFunctions.class, "strftimeNow", String.class));
  }

  public String template() {
    return template;
  }

  @Override
  public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
    Map<String, Object> ctx = new HashMap<>(globals);
    List<Map<String, Object>> msgs = new ArrayList<>();
    for (ChatMessage m : messages) {
      Map<String, Object> map = new LinkedHashMap<>();
      map.put("role", m.role());
      map.put("content", m.content());
      msgs.add(map);
    }
    ctx.put("messages", msgs);
    ctx.put("add_generation_prompt", addGenerationPrompt);
    ctx.put("tools", null);
    ctx.put("documents", null);
    RenderResult result = jinjava.renderForResult(template, ctx);
    for (TemplateError e : result.getErrors()) {
      if (e.getException() instanceof TemplateFunctions.TemplateException te) {
        throw te;
      }
      Throwable cause = e.getException();
      while (cause != null) {
        if (cause instanceof TemplateFunctions.TemplateException te) {
          throw te;
        }
        cause = cause.getCause();
      }
      if (e.getSeverity() == TemplateError.ErrorType.FATAL) {
        throw new IllegalArgumentException("chat template failed: " + e.getMessage());
      }
    }
    return result.getOutput();
  }
}
