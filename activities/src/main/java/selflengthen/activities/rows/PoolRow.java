package selflengthen.activities.rows;

/**
 * A row of the instruction pool and of the held-out set ({@code seeds/pool.jsonl},
 * {@code seeds/held_out.jsonl}, {@code round-<k>/self_instruct/pool.jsonl}). {@code source} says
 * where the instruction came from: "seed", "held_out" or "round-<k>".
 */
public record PoolRow(String instruction, String source) {}
