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
  void protobufMessagesTravelAsJsonPlainWithProtoNamesAndComeBackEqual() {
    RunSpec spec =
        RunSpec.newBuilder().setRunId("r1").setRounds(2).setSeed(1L << 40).setLanguage(Language.LANGUAGE_ZH).build();
    Payload payload = converter.toPayload(spec).orElseThrow();
    assertEquals("json/plain", encoding(payload));
    assertEquals("selflengthen.v1.RunSpec", payload.getMetadataOrThrow("messageType").toStringUtf8());
    assertEquals(spec, converter.fromPayload(payload, RunSpec.class, RunSpec.class));
    // Compact, proto field names, 64-bit numbers as strings (what the Temporal CLI shows).
    assertEquals(
        "{\"run_id\":\"r1\",\"language\":\"LANGUAGE_ZH\",\"seed\":\"1099511627776\",\"rounds\":2}",
        payload.getData().toStringUtf8());
  }

  @Test
  void jsonProtobufOfRecordedHistoriesStillDecodes() {
    RunSpec spec = RunSpec.newBuilder().setRunId("r1").setRounds(2).build();
    Payload indented = new io.temporal.common.converter.ProtobufJsonPayloadConverter().toData(spec).orElseThrow();
    assertEquals("json/protobuf", encoding(indented));
    assertTrue(indented.getData().toStringUtf8().contains("\n"), indented.getData().toStringUtf8());
    assertEquals(spec, converter.fromPayload(indented, RunSpec.class, RunSpec.class));
    Payload withNewerField = indented.toBuilder()
        .setData(ByteString.copyFromUtf8("{\"runId\":\"r1\",\"rounds\":2,\"fromTheFuture\":1}")).build();
    assertEquals(spec, converter.fromPayload(withNewerField, RunSpec.class, RunSpec.class));
  }

  @Test
  void jsonPlainDecodesIntoMessagesWithSnakeOrCamelCase() {
    RunSpec snake =
        converter.fromPayload(
            jsonPlain("{\"run_id\":\"r1\",\"rounds\":4,\"models\":{\"base_model\":\"/m\"},"
                + "\"sampling\":{\"top_p\":0.5},\"language\":\"LANGUAGE_ZH\",\"seed\":\"5\"}"),
            RunSpec.class, RunSpec.class);
    assertEquals("r1", snake.getRunId());
    assertEquals(4, snake.getRounds());
    assertEquals(5, snake.getSeed());
    assertEquals("/m", snake.getModels().getBaseModel());
    assertEquals(0.5f, snake.getSampling().getTopP());
    assertEquals(Language.LANGUAGE_ZH, snake.getLanguage());

    RunSpec camel =
        converter.fromPayload(
            jsonPlain("{\"runId\":\"r1\",\"rounds\":4,\"models\":{\"baseModel\":\"/m\"},"
                + "\"sampling\":{\"topP\":0.5},\"language\":\"LANGUAGE_ZH\",\"seed\":5}"),
            RunSpec.class, RunSpec.class);
    assertEquals(snake, camel);
  }

  @Test
  void foreignJsonPlainWithTyposAndWrongTypesIsRefusedNamingEveryField() {
    InvalidPayloadException e =
        assertThrows(
            InvalidPayloadException.class,
            () -> converter.fromPayload(
                jsonPlain("{\"rounds\":-1,\"self_instruct\":{\"instructions_per_rond\":4},"
                    + "\"seed\":\"three\",\"language\":\"FRENCH\",\"sampling\":{\"top_p\":\"high\"}}"),
                RunSpec.class, RunSpec.class));
    String m = e.getMessage();
    assertTrue(m.startsWith("invalid RunSpec (5 problems): "), m);
    assertTrue(m.contains("rounds: -1 is not a count"), m);
    assertTrue(m.contains("self_instruct.instructions_per_rond: unknown field (did you mean instructions_per_round?)"), m);
    assertTrue(m.contains("seed: 'three' is not a number"), m);
    assertTrue(m.contains("language: unknown value 'FRENCH' (expected one of LANGUAGE_UNSPECIFIED, LANGUAGE_EN, LANGUAGE_ZH)"), m);
    assertTrue(m.contains("sampling.top_p: 'high' is not a number"), m);
  }

  @Test
  void foreignJsonPlainSyntaxErrorsDuplicatesAndSizeAreRefused() {
    String syntax = assertThrows(InvalidPayloadException.class,
        () -> converter.fromPayload(jsonPlain("{\n\"rounds\": 2,,\n}"), RunSpec.class, RunSpec.class)).getMessage();
    assertTrue(syntax.contains("line 2, column"), syntax);
    String dup = assertThrows(InvalidPayloadException.class,
        () -> converter.fromPayload(jsonPlain("{\"rounds\":2,\"rounds\":3}"), RunSpec.class, RunSpec.class)).getMessage();
    assertTrue(dup.contains("Duplicate field 'rounds'"), dup);
    long t0 = System.nanoTime();
    String big = "{\"run_id\":\"" + "x".repeat(50 << 20) + "\"}";
    String size = assertThrows(InvalidPayloadException.class,
        () -> converter.fromPayload(jsonPlain(big), RunSpec.class, RunSpec.class)).getMessage();
    assertTrue(size.contains("more than the 1048576"), size);
    assertTrue(System.nanoTime() - t0 < 5_000_000_000L, "refused by size before parsing");
  }

  @Test
  void jsonPlainNullIsNullForMessages() {
    assertNull(converter.fromPayload(jsonPlain("null"), RunSpec.class, RunSpec.class));
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
