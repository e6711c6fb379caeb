package selflengthen.workers.server;

import io.temporal.internal.testservice.TestServicesStarter;
import java.lang.reflect.Field;
import java.util.LinkedList;
import java.util.concurrent.locks.Lock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts a {@link BoundedLockEvents} in place of the in-memory server's unbounded lock-event list
 * (see there for the leak it stops). The list is a private field of the SDK's test server, reached
 * by reflection; should a later SDK change its shape, the server runs unchanged and a warning
 * says the workaround is off.
 */
final class TimerLockEventsTrim {
  private static final Logger log = LoggerFactory.getLogger(TimerLockEventsTrim.class);

  /** Enough of the newest events for the server's unbalanced-lock diagnostics. */
  static final int CAPACITY = 1_000;

  private TimerLockEventsTrim() {}

  /** Applies the workaround; true when the list is bounded afterwards. */
  static boolean apply(TestServicesStarter services) {
    try {
      Object timer = field(services, "selfAdvancingTimer");
      Lock lock = (Lock) field(timer, "lock");
      Field events = declared(timer.getClass(), "lockEvents");
      lock.lock();
      try {
        LinkedList<?> current = (LinkedList<?>) events.get(timer);
        if (current instanceof BoundedLockEvents) {
          return true;
        }
        BoundedLockEvents<Object> bounded = new BoundedLockEvents<>(CAPACITY);
        bounded.addAll(current);
        events.set(timer, bounded);
      } finally {
        lock.unlock();
      }
      return true;
    } catch (ReflectiveOperationException | RuntimeException e) {
      log.warn("in-memory server: cannot bound its timer's lock-event list ({}); it grows with every"
          + " task, which costs memory and time on runs of days", e.toString());
      return false;
    }
  }

  /** The number of events the server's list holds now (for tests and diagnostics). */
  static int size(TestServicesStarter services) throws ReflectiveOperationException {
    Object timer = field(services, "selfAdvancingTimer");
    Lock lock = (Lock) field(timer, "lock");
    lock.lock();
    try {
      return ((LinkedList<?>) field(timer, "lockEvents")).size();
    } finally {
      lock.unlock();
    }
  }

  static Object field(Object owner, String name) throws ReflectiveOperationException {
    return declared(owner.getClass(), name).get(owner);
  }

  private static Field declared(Class<?> type, String name) throws NoSuchFieldException {
    Field f = type.getDeclaredField(name);
    f.setAccessible(true);
    return f;
  }
}
