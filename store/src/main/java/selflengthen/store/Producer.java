package selflengthen.store;

/**
 * What made an artifact: the workflow, its stage, the shard (null when the artifact is not a
 * shard) and the activity attempt.
 */
public record Producer(String workflowId, String stage, Integer shard, int attempt) {}
