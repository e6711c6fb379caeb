package selflengthen.payload;

import com.google.protobuf.util.JsonFormat;
import io.temporal.api.common.v1.Payload;
import io.temporal.common.converter.DataConverterException;
import io.temporal.common.converter.PayloadConverter;
import io.temporal.common.converter.ProtobufJsonPayloadConverter;
import java.lang.reflect.Type;
import java.util.Optional;

/**
 * Reads {@code json/protobuf} payloads: those of recorded histories and older clients (with
 * {@code messageType}, read as the SDK does, tolerating unknown fields) and those a person sends
 * with {@code --input-meta encoding=json/protobuf} (without it, checked like plain JSON). It writes
 * nothing: {@link Payloads} puts the {@code json/plain} converter before it.
 */
final class ProtobufJsonInputConverter implements PayloadConverter {
  private final ProtobufJsonPayloadConverter sdk =
      new ProtobufJsonPayloadConverter(
          JsonFormat.printer().omittingInsignificantWhitespace(),
          JsonFormat.parser().ignoringUnknownFields());

  @Override
  public String getEncodingType() {
    return sdk.getEncodingType();
  }

  @Override
  public Optional<Payload> toData(Object value) throws DataConverterException {
    return sdk.toData(value);
  }

  @Override
  public <T> T fromData(Payload content, Class<T> valueClass, Type valueType)
      throws DataConverterException {
    if (content.containsMetadata(JsonPlainProtobufConverter.MESSAGE_TYPE)
        || !com.google.protobuf.Message.class.isAssignableFrom(valueClass)) {
      return sdk.fromData(content, valueClass, valueType);
    }
    return valueClass.cast(JsonPlainProtobufConverter.message(content, valueClass));
  }
}
