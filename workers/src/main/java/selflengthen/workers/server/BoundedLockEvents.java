package selflengthen.workers.server;

import java.util.Iterator;
import java.util.LinkedList;
import java.util.Objects;

/**
 * The in-memory server's diagnostic list of time-skipping lock events, kept to the newest
 * {@code capacity} and searched from its newest end.
 *
 * <p>The SDK's test server (1.39) appends an event to a plain {@link LinkedList} on every lock and
 * unlock of its timer but removes only the lock events taken through a handle; the lock and
 * unlock events of every workflow and activity task stay forever. The list then grows by a few
 * events a shard for the life of the server, and each handle unlock, which every state update
 * does, walks it from the oldest end: a memory leak and a cost per update that grows with the
 * run. The list is only read to print diagnostics when locks are unbalanced, so keeping the
 * newest events loses nothing a user can see but that printout's oldest lines.
 *
 * <p>Not thread-safe, like the list it replaces: the server calls it under its timer's lock.
 */
final class BoundedLockEvents<E> extends LinkedList<E> {
  private final int capacity;

  BoundedLockEvents(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1 (got " + capacity + ")");
    }
    this.capacity = capacity;
  }

  @Override
  public boolean add(E event) {
    super.add(event);
    while (size() > capacity) {
      removeFirst();
    }
    return true;
  }

  /**
   * Removes the newest equal element: a handle is unlocked soon after it locks, so its event is
   * near the newest end, where the search starts.
   */
  @Override
  public boolean remove(Object event) {
    for (Iterator<E> it = descendingIterator(); it.hasNext(); ) {
      if (Objects.equals(it.next(), event)) {
        it.remove();
        return true;
      }
    }
    return false;
  }
}
