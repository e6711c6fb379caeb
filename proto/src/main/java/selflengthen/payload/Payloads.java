package selflengthen.payload;

import com.google.protobuf.util.JsonFormat;
import io.temporal.common.converter.DataConverter;
import io.temporal.common.converter.DefaultDataConverter;
import io.temporal.common.converter.ProtobufJsonPayloadConverter;

/**
 * The project's one Temporal data converter; every client and worker uses it.
 *
 * <p>It is the SDK default (protobuf messages travel as {@code json/protobuf}, everything else as
 * Jackson {@code json/plain}) with one change: {@code json/plain} payloads also decode into
 * protobuf message targets, so runs can be started from the Temporal CLI or Web UI with plain JSON
 * such as {@code {"run_id":"r1","models":{"base_model":"/m"}}}. And {@code json/protobuf} is
 * written without the SDK's indentation: every activity input carries the resolved spec, which is
 * 3.5 KB indented and 2.2 KB compact, and a 100k-sample stage stores thousands of them in its
 * history (capped at 50 MB). Both forms decode alike, so recorded histories still replay.
 */
public final class Payloads {
  private static final DataConverter CONVERTER =
      DefaultDataConverter.newDefaultInstance()
          .withPayloadConverterOverrides(
              new ProtobufJsonPayloadConverter(
                  JsonFormat.printer().omittingInsignificantWhitespace(),
                  JsonFormat.parser().ignoringUnknownFields()),
              new JsonPlainProtobufConverter());

  private Payloads() {}

  public static DataConverter dataConverter() {
    return CONVERTER;
  }
}
