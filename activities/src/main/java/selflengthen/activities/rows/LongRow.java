package selflengthen.activities.rows;

/** A row of long.jsonl: an instruction and its kept extended response, with the round it came from. */
public record LongRow(String query, String response, int words, int round) {}
