package selflengthen.payload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.temporal.api.common.v1.Payload;
import io.temporal.common.converter.DataConverter;
import io.temporal.common.converter.DataConverterException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import selflengthen.v1.Language;
import selflengthen.v1.RunSpec;

class PayloadsTest {
  private final DataConverter converter = Payloads.dataConverter();

  private static Payload jsonPlain(String json) {
    return Payload.newBuilder()
        .putMetadata("encoding", ByteString.copyFromUtf8("json/plain"))
        .setData(ByteString.copyFromUtf8(json))
        .build();
  }

  private static String encoding(Payload p) {
    return p.getMetadataOrThrow("encoding").toString(StandardCharsets.UTF_8);
  }

  @Test
  void protobufMessagesTravelAsJsonProtobufAndComeBackEqual() {
    RunSpec spec = RunSpec.newBuilder().setRunId("r1").setRounds(2).setLanguage(Language.LANGUAGE_ZH).build();
    Payload payload = converter.toPayload(spec).orElseThrow();
    assertEquals("json/protobuf", encoding(payload));
    assertEquals(spec, converter.fromPayload(payload, RunSpec.class, RunSpec.class));
    // Compact: no indentation or line breaks (history bytes), yet the SDK's indented form still decodes.
    assertEquals("{\"runId\":\"r1\",\"language\":\"LANGUAGE_ZH\",\"rounds\":2}", payload.getData().toStringUtf8());
    Payload indented = new io.temporal.common.converter.ProtobufJsonPayloadConverter().toData(spec).orElseThrow();
    assertTrue(indented.getData().toStringUtf8().contains("\n"), indented.getData().toStringUtf8());
    assertEquals(spec, converter.fromPayload(indented, RunSpec.class, RunSpec.class));
  }

  @Test
  void jsonPlainDecodesIntoMessagesWithSnakeOrCamelCaseAndIgnoresUnknownFields() {
    RunSpec snake =
        converter.fromPayload(
            jsonPlain("{\"run_id\":\"r1\",\"rounds\":4,\"models\":{\"base_model\":\"/m\"},"
                + "\"sampling\":{\"top_p\":0.5},\"language\":\"LANGUAGE_ZH\",\"from_the_future\":1}"),
            RunSpec.class, RunSpec.class);
    assertEquals("r1", snake.getRunId());
    assertEquals(4, snake.getRounds());
    assertEquals("/m", snake.getModels().getBaseModel());
    assertEquals(0.5f, snake.getSampling().getTopP());
    assertEquals(Language.LANGUAGE_ZH, snake.getLanguage());

    RunSpec camel =
        converter.fromPayload(
            jsonPlain("{\"runId\":\"r1\",\"rounds\":4,\"models\":{\"baseModel\":\"/m\"},"
                + "\"sampling\":{\"topP\":0.5},\"language\":\"LANGUAGE_ZH\"}"),
            RunSpec.class, RunSpec.class);
    assertEquals(snake, camel);
  }

  @Test
  void jsonPlainNullIsNullForMessages() {
    assertNull(converter.fromPayload(jsonPlain("null"), RunSpec.class, RunSpec.class));
  }

  @Test
  void malformedJsonPlainNamesTheTargetType() {
    DataConverterException e =
        assertThrows(
            DataConverterException.class,
            () -> converter.fromPayload(jsonPlain("{\"rounds\":\"many\"}"), RunSpec.class, RunSpec.class));
    assertTrue(e.getMessage().contains("RunSpec"), e.getMessage());
  }

  @Test
  void otherTypesStayWithJackson() {
    Payload list = converter.toPayload(List.of("a", "b")).orElseThrow();
    assertEquals("json/plain", encoding(list));
    assertEquals(List.of("a", "b"), converter.fromPayload(list, List.class, List.class));
    @SuppressWarnings("unchecked")
    Map<String, Object> map =
        converter.fromPayload(jsonPlain("{\"x\":1}"), Map.class, Map.class);
    assertEquals(1, map.get("x"));
    assertEquals(7, converter.fromPayload(jsonPlain("7"), Integer.class, Integer.class));
  }
}
