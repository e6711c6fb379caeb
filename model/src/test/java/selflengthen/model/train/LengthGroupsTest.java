package selflengthen.model.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LengthGroupsTest {
  static SftDataset.Sample sample(int length) {
    return new SftDataset.Sample(new int[length], 1);
  }

  static List<Integer> lengths(List<SftDataset.Sample> group) {
    return group.stream().map(s -> s.ids().length).toList();
  }

  @Test
  void similarLengthsStayTogether() {
    List<List<SftDataset.Sample>> g = LengthGroups.of(List.of(sample(100), sample(104), sample(98)));
    assertEquals(1, g.size());
    assertEquals(List.of(104, 100, 98), lengths(g.get(0)));
  }

  @Test
  void shortSamplesLeaveALongOnesGroup() {
    List<List<SftDataset.Sample>> g =
        LengthGroups.of(List.of(sample(40), sample(1000), sample(60), sample(998), sample(50)));
    assertEquals(2, g.size());
    assertEquals(List.of(1000, 998), lengths(g.get(0)));
    assertEquals(List.of(60, 50, 40), lengths(g.get(1)));
  }

  @Test
  void everySampleIsInExactlyOneGroup() {
    List<SftDataset.Sample> in = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      in.add(sample(30 + (i * 137) % 900));
    }
    List<List<SftDataset.Sample>> g = LengthGroups.of(in);
    List<SftDataset.Sample> all = g.stream().flatMap(List::stream).toList();
    assertEquals(8, all.size());
    assertEquals(new java.util.HashSet<>(in), new java.util.HashSet<>(all));
    // cheaper than one group padded to the longest
    double split = g.stream().mapToDouble(x -> LengthGroups.cost(x.size(), x.get(0).ids().length)).sum();
    assertEquals(true, split < LengthGroups.cost(8, 30 + 900 - 1));
  }

  @Test
  void oneSampleIsOneGroup() {
    assertEquals(1, LengthGroups.of(List.of(sample(5))).size());
  }
}
