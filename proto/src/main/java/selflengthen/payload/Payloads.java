package selflengthen.payload;

import io.temporal.common.converter.DataConverter;
import io.temporal.common.converter.DefaultDataConverter;

/**
 * The project's one Temporal data converter; every client and worker uses it.
 *
 * <p>It is the SDK default (protobuf messages travel as {@code json/protobuf}, everything else as
 * Jackson {@code json/plain}) with one change: {@code json/plain} payloads also decode into
 * protobuf message targets, so runs can be started from the Temporal CLI or Web UI with plain JSON
 * such as {@code {"run_id":"r1","models":{"base_model":"/m"}}}.
 */
public final class Payloads {
  private static final DataConverter CONVERTER =
      DefaultDataConverter.newDefaultInstance()
          .withPayloadConverterOverrides(new JsonPlainProtobufConverter());

  private Payloads() {}

  public static DataConverter dataConverter() {
    return CONVERTER;
  }
}
