package selflengthen.activities.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashSet;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class FewShotTest {
  private static final List<String> POOL = IntStream.range(0, 7).mapToObj(i -> "task " + i).toList();

  @Test
  void twoExamplesAreDrawnAsBeforeSoSeededRunsDoNotChange() {
    for (long seed = 0; seed < 500; seed++) {
      SplittableRandom old = new SplittableRandom(seed);
      int a = old.nextInt(POOL.size());
      int b = (a + 1 + old.nextInt(POOL.size() - 1)) % POOL.size();
      assertEquals(List.of(POOL.get(a), POOL.get(b)), FewShot.draw(POOL, 2, new SplittableRandom(seed)), "seed " + seed);
    }
  }

  @Test
  void examplesAreDistinctAndEveryPoolInstructionIsDrawn() {
    int[] seen = new int[POOL.size()];
    for (long seed = 0; seed < 2000; seed++) {
      List<String> five = FewShot.draw(POOL, 5, new SplittableRandom(seed));
      assertEquals(5, new HashSet<>(five).size(), five.toString());
      five.forEach(t -> seen[POOL.indexOf(t)]++);
    }
    // 10,000 draws over 7 instructions: each ~1,429; a skewed draw would miss this band.
    for (int count : seen) {
      assertEquals(10_000.0 / 7, count, 120.0);
    }
  }

  @Test
  void aPoolSmallerThanTheExamplesRepeats() {
    assertEquals(List.of("x", "x"), FewShot.draw(List.of("x"), 2, new SplittableRandom(1)));
    assertEquals(3, FewShot.draw(List.of("x", "y"), 3, new SplittableRandom(1)).size());
  }
}
