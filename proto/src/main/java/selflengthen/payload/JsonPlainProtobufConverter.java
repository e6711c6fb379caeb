package selflengthen.payload;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.temporal.api.common.v1.Payload;
import io.temporal.common.converter.DataConverterException;
import io.temporal.common.converter.JacksonJsonPayloadConverter;
import io.temporal.common.converter.PayloadConverter;
import java.lang.reflect.Method;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The {@code json/plain} converter, made able to decode protobuf messages.
 *
 * <p>The Temporal CLI ({@code temporal workflow start --input '{...}'}) and the Web UI send plain
 * JSON. Jackson cannot build a protobuf message from it, so a workflow started that way would fail
 * its first task forever. Here a {@code json/plain} payload aimed at a {@link Message} goes through
 * the protobuf JSON parser (which accepts both snake_case and camelCase field names and, ignoring
 * unknown fields, tolerates input written for a newer contract). Encoding, and decoding to any
 * other type, stays with Jackson exactly as in the SDK's default converter.
 */
final class JsonPlainProtobufConverter implements PayloadConverter {
  private static final JsonFormat.Parser PARSER = JsonFormat.parser().ignoringUnknownFields();

  private final JacksonJsonPayloadConverter jackson = new JacksonJsonPayloadConverter();

  @Override
  public String getEncodingType() {
    return jackson.getEncodingType();
  }

  @Override
  public Optional<Payload> toData(Object value) throws DataConverterException {
    return jackson.toData(value);
  }

  @Override
  public <T> T fromData(Payload content, Class<T> valueClass, Type valueType)
      throws DataConverterException {
    if (!Message.class.isAssignableFrom(valueClass)) {
      return jackson.fromData(content, valueClass, valueType);
    }
    String json = content.getData().toString(StandardCharsets.UTF_8).strip();
    if (json.isEmpty() || json.equals("null")) {
      return null;
    }
    Message.Builder builder = newBuilder(valueClass);
    try {
      PARSER.merge(json, builder);
    } catch (InvalidProtocolBufferException e) {
      throw new DataConverterException(
          "cannot read json/plain payload as " + valueClass.getSimpleName() + ": " + e.getMessage(),
          e);
    }
    return valueClass.cast(builder.build());
  }

  private static Message.Builder newBuilder(Class<?> messageClass) {
    try {
      Method factory = messageClass.getMethod("newBuilder");
      return (Message.Builder) factory.invoke(null);
    } catch (ReflectiveOperationException e) {
      throw new DataConverterException(
          "cannot build " + messageClass.getName() + " from json/plain: no static newBuilder()", e);
    }
  }
}
