package selflengthen.activities.inference;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** The examples of one self-instruct prompt: distinct pool instructions drawn at random. */
final class FewShot {
  private FewShot() {}

  /**
   * {@code n} instructions of {@code pool}, distinct while the pool has enough. The first is drawn
   * uniformly; each next one uniformly among those not drawn yet, counted on from the first (so
   * the two-example draw of earlier versions, and with it every seeded result, is unchanged).
   */
  static List<String> draw(List<String> pool, int n, SplittableRandom random) {
    int size = pool.size();
    List<String> out = new ArrayList<>(n);
    if (size == 0 || n == 0) {
      return out;
    }
    int first = random.nextInt(size);
    boolean[] taken = new boolean[size];
    taken[first] = true;
    out.add(pool.get(first));
    int left = size - 1;
    for (int k = 1; k < n; k++) {
      if (left == 0) {
        // A pool smaller than n: repeat from the start (prepare refuses such pools; kept total).
        out.add(out.get((k - 1) % size));
        continue;
      }
      int skip = random.nextInt(left);
      int i = first;
      while (true) {
        i = (i + 1) % size;
        if (!taken[i] && skip-- == 0) {
          break;
        }
      }
      taken[i] = true;
      left--;
      out.add(pool.get(i));
    }
    return out;
  }
}
