package selflengthen.store;

/** A model an artifact was made with: checkpoint path (or endpoint model name) and adapter ("" = none). */
public record ModelVersion(String path, String adapter) {}
