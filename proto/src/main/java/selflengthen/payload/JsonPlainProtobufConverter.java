package selflengthen.payload;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.temporal.api.common.v1.Payload;
import io.temporal.common.converter.DataConverterException;
import io.temporal.common.converter.EncodingKeys;
import io.temporal.common.converter.JacksonJsonPayloadConverter;
import io.temporal.common.converter.PayloadConverter;
import java.lang.reflect.Method;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * The {@code json/plain} converter, for protobuf messages too, in both directions.
 *
 * <p>Encoding: a message becomes plain JSON with the proto field names (64-bit numbers as strings,
 * as the protobuf JSON mapping writes them), which the Temporal CLI, the Web UI and every SDK's
 * default converter read; the payload also carries {@code messageType}, as the SDK's
 * {@code json/protobuf} does. Everything else is Jackson, as in the SDK's default converter.
 *
 * <p>Decoding a message: a payload with {@code messageType} was written by this project's code
 * (a worker or client, perhaps a newer one) and is read tolerating unknown fields. A payload
 * without it comes from a person or a foreign client ({@code temporal workflow start --input}, the
 * Web UI, another SDK): it is checked by {@link JsonMessages} and refused with every problem named
 * ({@link InvalidPayloadException}) instead of running with a typo silently ignored.
 */
final class JsonPlainProtobufConverter implements PayloadConverter {
  static final String MESSAGE_TYPE = "messageType";
  private static final JsonFormat.Printer PRINTER =
      JsonFormat.printer().preservingProtoFieldNames().omittingInsignificantWhitespace();
  private static final JsonFormat.Parser TOLERANT = JsonFormat.parser().ignoringUnknownFields();

  private final JacksonJsonPayloadConverter jackson = new JacksonJsonPayloadConverter();

  @Override
  public String getEncodingType() {
    return jackson.getEncodingType();
  }

  @Override
  public Optional<Payload> toData(Object value) throws DataConverterException {
    if (!(value instanceof Message message)) {
      return jackson.toData(value);
    }
    try {
      return Optional.of(
          Payload.newBuilder()
              .putMetadata(EncodingKeys.METADATA_ENCODING_KEY, ByteString.copyFromUtf8(getEncodingType()))
              .putMetadata(MESSAGE_TYPE, ByteString.copyFromUtf8(message.getDescriptorForType().getFullName()))
              .setData(ByteString.copyFromUtf8(PRINTER.print(message)))
              .build());
    } catch (InvalidProtocolBufferException e) {
      throw new DataConverterException(e);
    }
  }

  @Override
  public <T> T fromData(Payload content, Class<T> valueClass, Type valueType)
      throws DataConverterException {
    if (!Message.class.isAssignableFrom(valueClass)) {
      return jackson.fromData(content, valueClass, valueType);
    }
    return valueClass.cast(message(content, valueClass));
  }

  /** A message from a json/plain or json/protobuf payload: tolerant if ours, checked if foreign. */
  static Message message(Payload content, Class<?> valueClass) {
    Message.Builder builder = newBuilder(valueClass);
    String what = "invalid " + valueClass.getSimpleName();
    if (content.getData().size() > JsonMessages.MAX_BYTES) {
      throw new InvalidPayloadException(what, List.of(JsonMessages.tooLarge("the input", content.getData().size())));
    }
    String json = content.getData().toString(StandardCharsets.UTF_8).strip();
    if (json.isEmpty() || json.equals("null")) {
      return null;
    }
    if (content.containsMetadata(MESSAGE_TYPE)) {
      try {
        TOLERANT.merge(json, builder);
      } catch (InvalidProtocolBufferException e) {
        throw new DataConverterException("cannot read " + valueClass.getSimpleName() + ": " + e.getMessage(), e);
      }
      return builder.build();
    }
    List<FieldProblem> problems = JsonMessages.parse(json, builder, "the input");
    if (!problems.isEmpty()) {
      throw new InvalidPayloadException(what, problems);
    }
    return builder.build();
  }

  private static Message.Builder newBuilder(Class<?> messageClass) {
    return DEFAULT_INSTANCES.get(messageClass).newBuilderForType();
  }

  /** Each message class's default instance, looked up by reflection once per class, not per payload. */
  private static final ClassValue<Message> DEFAULT_INSTANCES =
      new ClassValue<>() {
        @Override
        protected Message computeValue(Class<?> messageClass) {
          try {
            Method factory = messageClass.getMethod("getDefaultInstance");
            return (Message) factory.invoke(null);
          } catch (ReflectiveOperationException | ClassCastException e) {
            throw new DataConverterException(
                "cannot build " + messageClass.getName() + ": no static getDefaultInstance()", e);
          }
        }
      };
}
