package selflengthen.eval;

import java.util.Map;

/**
 * The length score of one response. {@code groups} maps each breakdown ("type", "length bucket",
 * ...) to this row's key in it; {@code required} is the nominal required length in words.
 */
public record ScoredRow(long line, Map<String, String> groups, double required, int produced, double score) {
  public ScoredRow {
    groups = Map.copyOf(groups);
  }
}
