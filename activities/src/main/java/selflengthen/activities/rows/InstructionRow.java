package selflengthen.activities.rows;

/**
 * A new instruction made by self-instruct: {@code row} is its requested position in the stage's
 * target sequence, {@code tries} the few-shot prompts it took.
 */
public record InstructionRow(long row, String instruction, int words, int tries) {}
