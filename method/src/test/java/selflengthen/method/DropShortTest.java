package selflengthen.method;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class DropShortTest {
  private final DropShort reference = DropShort.reference();

  @Test
  void survivalProbabilityMatchesOneMinusTwoRCubed() {
    assertEquals(1.0, reference.survivalProbability(0.0), 0.0);
    assertEquals(0.75, reference.survivalProbability(0.5), 0.0); // 1 - 2 * 0.125
    assertEquals(0.0, reference.survivalProbability(1.0), 0.0); // 1 - 2 = -1, clipped
    // r = 0.7937... is where 2 r^3 = 1: from there on nothing survives.
    assertEquals(0.0, reference.survivalProbability(Math.cbrt(0.5)), 1e-12);
    DropShort gentle = new DropShort(0.5, 1);
    assertEquals(0.75, gentle.survivalProbability(0.5), 0.0);
    assertEquals(0.5, gentle.survivalProbability(1.0), 0.0);
  }

  @Test
  void ranksCountFromTheTopWithTiesTakingTheShortSideRank() {
    // sorted: 10, 20, 20, 40 -> below counts 0, 1, 1, 3 -> r = 1, 3/4, 3/4, 1/4
    assertArrayEquals(new double[] {0.25, 0.75, 1.0, 0.75}, DropShort.ranks(new int[] {40, 20, 10, 20}), 0.0);
    assertArrayEquals(new double[] {1.0}, DropShort.ranks(new int[] {7}), 0.0);
  }

  @Test
  void theShortestAlwaysGoesWhenFactorIsAtLeastOne() {
    int[] words = IntStream.range(0, 50).map(i -> 100 + i).toArray();
    for (long seed = 0; seed < 200; seed++) {
      boolean[] keep = reference.keep(words, new SplittableRandom(seed));
      assertFalse(keep[0], "shortest kept with seed " + seed);
      boolean[] keepFactorOne = new DropShort(1, 3).keep(words, new SplittableRandom(seed));
      assertFalse(keepFactorOne[0], "shortest kept with factor 1, seed " + seed);
    }
  }

  @Test
  void keepRatesFollowTheSurvivalCurve() {
    // 1000 distinct lengths; the one at sorted position i has r = 1 - i/1000.
    int n = 1000;
    int[] words = IntStream.range(0, n).map(i -> 1000 + i).toArray();
    int trials = 400;
    int[] kept = new int[n];
    SplittableRandom random = new SplittableRandom(20241031L);
    for (int t = 0; t < trials; t++) {
      boolean[] keep = reference.keep(words, random);
      for (int i = 0; i < n; i++) {
        if (keep[i]) {
          kept[i]++;
        }
      }
    }
    // Pool 100 neighbouring ranks per bucket: expected rate = mean of p(r) over the bucket.
    for (int b = 0; b < 10; b++) {
      double expected = 0;
      int observed = 0;
      for (int i = b * 100; i < (b + 1) * 100; i++) {
        expected += reference.survivalProbability(1.0 - (double) i / n);
        observed += kept[i];
      }
      expected /= 100;
      double rate = observed / (100.0 * trials);
      // 40,000 Bernoulli draws per bucket: standard error <= 0.0025; allow 5 sigma.
      assertEquals(expected, rate, 0.0125, "bucket " + b);
    }
    // Items with r >= cbrt(1/2) (sorted position < 207) never survive.
    for (int i = 0; i < 206; i++) {
      assertEquals(0, kept[i], "position " + i);
    }
    // The longest item (r = 1/1000) survives with probability 1 - 2e-9: always here.
    assertEquals(trials, kept[n - 1]);
  }

  @Test
  void applyKeepsInputOrderAndIsReproducibleWithTheSameSeed() {
    List<String> items = IntStream.range(0, 200).mapToObj(i -> "x".repeat(1 + (i * 37) % 200)).toList();
    List<String> a = reference.apply(items, String::length, new SplittableRandom(7));
    List<String> b = reference.apply(items, String::length, new SplittableRandom(7));
    assertEquals(a, b);
    int last = -1;
    for (String s : a) {
      int index = items.indexOf(s);
      assertTrue(index > last);
      last = index;
    }
    // Expected survivors: sum over r = k/200 (k = 1..200) of max(0, 1 - 2 r^3) ~ 200 * 0.595 = 119.
    assertTrue(a.size() > 95 && a.size() < 140, "kept " + a.size());
  }

  @Test
  void anItemIsKeptWhenItsDrawIsAboveTwoRCubedAsInTheReference() {
    // lengths 10, 20, 30, 40 -> r = 1, 3/4, 1/2, 1/4 -> thresholds 2, 0.84375, 0.25, 0.03125
    int[] lengths = {10, 20, 30, 40};
    assertEquals(0.25, reference.threshold(0.5), 0.0);
    assertEquals(0.84375, reference.threshold(0.75), 0.0);
    assertArrayEquals(
        new boolean[] {false, true, false, true},
        reference.keep(lengths, new double[] {0.999, 0.85, 0.25, 0.03125 + 1e-12}));
    // The draw must be strictly above: equal to the threshold goes (random.random() > 2 * r ** 3).
    assertArrayEquals(
        new boolean[] {false, false, false, false},
        reference.keep(lengths, new double[] {0.5, 0.84375, 0.25, 0.03125}));
  }

  @Test
  void aDisabledSpecDropsNothing() {
    assertTrue(DropShort.of(selflengthen.v1.DropShort.newBuilder().setEnabled(false).build()).isEmpty());
    DropShort fromSpec =
        DropShort.of(selflengthen.v1.DropShort.newBuilder().setFactor(1.5f).build()).orElseThrow();
    assertEquals(1.5, fromSpec.factor(), 0.0);
    assertEquals(3.0, fromSpec.exponent(), 0.0);
    // A float spec value is read as the decimal written: 0.3f is 0.3, not 0.30000001192...
    DropShort decimal =
        DropShort.of(selflengthen.v1.DropShort.newBuilder().setFactor(0.3f).build()).orElseThrow();
    assertEquals(0.3, decimal.factor(), 0.0);
  }
}
