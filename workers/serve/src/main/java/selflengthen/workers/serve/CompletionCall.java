package selflengthen.workers.serve;

import selflengthen.model.api.GenerationRequest;

/** A validated completion or chat-completion request, ready for the engine. */
record CompletionCall(
    ServedModel model,
    GenerationRequest request,
    boolean chat,
    boolean stream,
    boolean includeUsage) {}
