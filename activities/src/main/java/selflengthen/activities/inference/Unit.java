package selflengthen.activities.inference;

import java.util.Comparator;

/**
 * One unit of a shard's work: input row {@code row} (its position in the stage's input, or in the
 * target sequence for self-instruct) and a sub-index (a response sample, an extension attempt; 0
 * when a row has one unit). Units commit in this order.
 */
record Unit(long row, int sub) implements Comparable<Unit> {
  private static final Comparator<Unit> ORDER =
      Comparator.comparingLong(Unit::row).thenComparingInt(Unit::sub);

  @Override
  public int compareTo(Unit o) {
    return ORDER.compare(this, o);
  }
}
