package selflengthen.model.api;

/**
 * One supervised example in Alpaca / LLaMA-Factory form. The trainer builds the user turn from
 * instruction and input (joined by a blank line when input is not empty), renders it with the chat
 * template, and puts the loss on the output tokens only.
 */
public record SftExample(String instruction, String input, String output) {}
