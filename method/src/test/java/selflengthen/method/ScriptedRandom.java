package selflengthen.method;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.random.RandomGenerator;

/** Test double: returns the scripted doubles in order and fails on any other draw. */
final class ScriptedRandom implements RandomGenerator {
  private final Deque<Double> doubles = new ArrayDeque<>();

  ScriptedRandom(double... values) {
    for (double v : values) {
      doubles.add(v);
    }
  }

  @Override
  public double nextDouble() {
    if (doubles.isEmpty()) {
      throw new IllegalStateException("no scripted double left");
    }
    return doubles.removeFirst();
  }

  @Override
  public long nextLong() {
    throw new UnsupportedOperationException("only nextDouble is scripted");
  }

  boolean exhausted() {
    return doubles.isEmpty();
  }
}
