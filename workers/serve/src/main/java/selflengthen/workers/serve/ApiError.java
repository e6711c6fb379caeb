package selflengthen.workers.serve;

/**
 * A request the server refuses, rendered as an OpenAI error body {@code {"error": {"message",
 * "type", "param", "code"}}} with {@code status}.
 */
final class ApiError extends RuntimeException {
  final int status;
  final String type;
  final String param;
  final String code;

  ApiError(int status, String type, String message, String param, String code) {
    super(message);
    this.status = status;
    this.type = type;
    this.param = param;
    this.code = code;
  }

  static ApiError invalid(String param, String message) {
    return new ApiError(400, "invalid_request_error", message, param, null);
  }

  static ApiError unsupported(String param, String message) {
    return new ApiError(400, "invalid_request_error", message, param, "unsupported_parameter");
  }

  static ApiError unknownModel(String name) {
    return new ApiError(
        404,
        "invalid_request_error",
        "The model `" + name + "` does not exist.",
        "model",
        "model_not_found");
  }

  static ApiError unauthorized() {
    return new ApiError(
        401,
        "invalid_request_error",
        "Incorrect or missing API key: send 'Authorization: Bearer <key>'.",
        null,
        "invalid_api_key");
  }

  static ApiError notFound(String path) {
    return new ApiError(
        404, "invalid_request_error", "Unknown path " + path + ".", null, "not_found");
  }

  static ApiError methodNotAllowed(String method, String path, String allowed) {
    return new ApiError(
        405,
        "invalid_request_error",
        method + " is not allowed on " + path + "; use " + allowed + ".",
        null,
        "method_not_allowed");
  }

  static ApiError tooLarge(long limit) {
    return new ApiError(
        413,
        "invalid_request_error",
        "The request body is larger than " + limit + " bytes.",
        null,
        "request_too_large");
  }

  static ApiError engineFailure(String message) {
    return new ApiError(500, "server_error", message, null, null);
  }
}
