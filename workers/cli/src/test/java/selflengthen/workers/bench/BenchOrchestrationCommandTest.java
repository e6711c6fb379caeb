package selflengthen.workers.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import selflengthen.workers.cli.Main;

/** {@code selflengthen bench orchestration} with tiny numbers: the real round, the JSON it prints. */
@Tag("integration")
class BenchOrchestrationCommandTest {
  @Test
  void measuresTheRealRoundAndPrintsOneResultPerSlotCount() throws Exception {
    CommandLine cl = Main.commandLine(() -> (q, w, c) -> {});
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute("bench", "orchestration", "--shards", "8", "--slots", "1,2", "--activity-ms", "10",
        "--warmup-rounds", "2");
    assertEquals(0, code, err.toString());

    JsonNode report = new ObjectMapper().readTree(out.toString());
    assertEquals(2, report.get("warmup_rounds").asInt());
    assertEquals(2, report.get("warmup_rounds_at_once").asInt());
    assertTrue(report.get("warmup_ms").asLong() > 0, report.toString());
    // The JIT's own clock (HotSpot keeps it): how much of each stretch went to compiling.
    assertTrue(report.get("warmup_jit_compile_ms").asLong() >= 0, report.toString());
    assertTrue(err.toString().contains("2 warm-up rounds of 8 shards done"), err.toString());
    assertEquals(8, report.get("shards").asInt());
    assertEquals(Map.of("self_instruct", 2, "respond", 2, "extend", 2, "measure", 2),
        new ObjectMapper().convertValue(report.get("shards_per_stage"), Map.class));
    long fixed = report.get("fixed_events_per_round").asLong();
    assertTrue(fixed > 20, "a round without shards still has its stages' activities: " + fixed);

    // Per W: nothing queued ahead, then a whole wave (the default "0,W").
    JsonNode results = report.get("results");
    assertEquals(4, results.size());
    for (int i = 0; i < 4; i++) {
      JsonNode r = results.get(i);
      int w = List.of(1, 1, 2, 2).get(i);
      assertEquals(w, r.get("slots").asInt());
      assertEquals(List.of(0, 1, 0, 2).get(i), r.get("queued_shards").asInt(), r.toString());
      assertEquals(8 * 10 / w, r.get("ideal_ms").asLong());
      long measured = r.get("measured_ms").asLong();
      assertTrue(measured >= r.get("ideal_ms").asLong(), "nothing beats the ideal: " + r);
      assertEquals((double) r.get("ideal_ms").asLong() / measured, r.get("efficiency").asDouble(), 0.001);
      assertTrue(r.get("fan_out_ms").asLong() <= measured, r.toString());
      // The round's time is its shard windows plus the gaps around them, one per stage boundary.
      JsonNode gaps = r.get("outside_fan_outs_by_gap_ms");
      assertEquals(5, gaps.size(), gaps.toString());
      long gapSum = 0;
      for (JsonNode g : gaps) {
        gapSum += g.asLong();
      }
      assertEquals(r.get("outside_fan_outs_ms").asLong(), gapSum);
      assertEquals(measured, r.get("fan_out_ms").asLong() + gapSum, 2, r.toString());
      // Each shard adds at least its scheduled, started and completed events.
      assertTrue(r.get("round_history_events").asLong() >= fixed + 3 * 8, r.toString());
      assertTrue(r.get("events_per_shard").asDouble() >= 3, r.toString());
      assertEquals(1, r.get("round_executions").asInt());
      assertTrue(r.get("jit_compile_ms").asLong() >= 0, r.toString());
      assertTrue(r.get("workflow_tasks").asLong() > 0);
      // The shards' time beyond their work: the refill after a completion, the trip of each shard.
      assertTrue(r.get("completion_to_schedule_ms").asDouble() >= 0, r.toString());
      assertTrue(r.get("schedule_to_close_overhead_ms").asDouble() >= 0, r.toString());
      long byType = 0;
      for (JsonNode n : r.get("history_events_by_type")) {
        byType += n.asLong();
      }
      assertEquals(r.get("round_history_events").asLong(), byType, r.toString());
      // Besides the shards only the two training steps are activities: the control steps (4
      // plans, 4 merges, 2 drop-shorts, training sets) are local ones, recorded as markers.
      assertEquals(8 + 2, r.get("history_events_by_type").get("activity_task_scheduled").asLong(), r.toString());
      assertEquals(11 + 2, r.get("history_events_by_type").get("marker_recorded").asLong(),
          "and two version markers (round-stages, straggler-stages)");
    }

    // One summary per variant; each was measured once here, so its median is its efficiency.
    JsonNode summary = report.get("summary");
    assertEquals(4, summary.size(), summary.toString());
    for (int i = 0; i < 4; i++) {
      assertEquals(results.get(i).get("slots").asInt(), summary.get(i).get("slots").asInt());
      assertEquals(results.get(i).get("queued_shards").asInt(), summary.get(i).get("queued_shards").asInt());
      assertEquals(1, summary.get(i).get("runs").asInt());
      assertEquals(results.get(i).get("efficiency").asDouble(), summary.get(i).get("median_efficiency").asDouble());
    }

    JsonNode p = report.get("projection_100k");
    assertEquals(32, p.get("shard_size").asInt());
    assertEquals(3125, p.get("shards").asLong());
    assertEquals(51_200, p.get("temporal_history_limit").asLong());
    double perShard = 0;
    for (JsonNode r : results) {
      perShard = Math.max(perShard, r.get("events_per_shard").asDouble());
    }
    assertEquals(fixed + (long) Math.ceil(perShard * 3125), p.get("projected_round_events").asLong());
    assertEquals(p.get("projected_round_events").asLong() < 51_200, p.get("within_limit").asBoolean());
    assertEquals(20_000, p.get("round_continue_as_new_threshold").asLong());
    assertTrue(err.toString().contains("W=2, 2 queued ahead:"), err.toString());
  }

  @Test
  void repeatedVariantsAreSummarisedByTheirMedian() {
    List<OrchestrationBenchmark.Summary> s = OrchestrationBenchmark.summarize(List.of(
        result(16, 16, 0.93), result(16, 0, 0.85), result(16, 16, 0.95), result(16, 16, 0.90),
        result(16, 0, 0.89)));
    assertEquals(2, s.size());
    assertEquals(new OrchestrationBenchmark.Summary(16, 16, 3, 0.93, 0.90, 0.95), s.get(0));
    assertEquals(new OrchestrationBenchmark.Summary(16, 0, 2, 0.87, 0.85, 0.89), s.get(1));
  }

  private static OrchestrationBenchmark.SlotResult result(int slots, int queued, double efficiency) {
    return new OrchestrationBenchmark.SlotResult(slots, queued, 0, 0, efficiency, 0, 0, 0, 0, Map.of(),
        0, 0, 0, 0, 0, 0, 0, 0, Map.of(), 0, 0, 0, 0);
  }

  @Test
  void badNumbersAreOneLineErrors() {
    CommandLine cl = Main.commandLine(() -> (q, w, c) -> {});
    StringWriter err = new StringWriter();
    cl.setErr(new PrintWriter(err, true));
    assertEquals(1, cl.execute("bench", "orchestration", "--slots", "0"));
    assertTrue(err.toString().startsWith("error: --slots: each value must be between 1 and 1024"), err.toString());
    StringWriter err2 = new StringWriter();
    cl.setErr(new PrintWriter(err2, true));
    assertEquals(1, cl.execute("bench", "orchestration", "--queued-shards", "0,many"));
    assertTrue(err2.toString().startsWith("error: --queued-shards: each value must be W or a number"), err2.toString());
    StringWriter err3 = new StringWriter();
    cl.setErr(new PrintWriter(err3, true));
    assertEquals(1, cl.execute("bench", "orchestration", "--warmup-rounds", "-1"));
    assertTrue(err3.toString().startsWith("error: --warmup-rounds must be between 0 and 400"), err3.toString());
  }
}
