package selflengthen.payload;

import io.temporal.common.converter.ByteArrayPayloadConverter;
import io.temporal.common.converter.DataConverter;
import io.temporal.common.converter.DefaultDataConverter;
import io.temporal.common.converter.NullPayloadConverter;
import io.temporal.common.converter.ProtobufPayloadConverter;

/**
 * The project's one Temporal data converter; every client and worker uses it.
 *
 * <p>Protobuf messages are written as {@code json/plain} with the proto field names, so the
 * Temporal CLI, the Web UI and other SDKs' default converters read query, update and workflow
 * results (the SDK default writes {@code json/protobuf}, which they cannot read). Runs can be
 * started with plain JSON such as {@code {"run_id":"r1","models":{"base_model":"/m"}}}; such input
 * is checked field by field and refused with every problem named. {@code json/protobuf} payloads
 * (recorded histories, older clients) still decode, so recorded histories replay. Payloads are
 * written without indentation: a 100k-sample stage stores thousands of activity inputs in its
 * history (capped at 50 MB). An input that does not decode
 * fails the workflow as a non-retryable {@code InvalidInput} failure naming every problem.
 */
public final class Payloads {
  private static final DataConverter CONVERTER =
      new DefaultDataConverter(
          new NullPayloadConverter(),
          new ByteArrayPayloadConverter(),
          new JsonPlainProtobufConverter(),
          new ProtobufJsonInputConverter(),
          new ProtobufPayloadConverter())
          .withFailureConverter(new InputFailureConverter());

  private Payloads() {}

  public static DataConverter dataConverter() {
    return CONVERTER;
  }
}
