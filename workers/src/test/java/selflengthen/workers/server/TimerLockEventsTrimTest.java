package selflengthen.workers.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.temporal.internal.testservice.TestServicesStarter;
import java.lang.reflect.Method;
import java.util.List;
import org.junit.jupiter.api.Test;

class TimerLockEventsTrimTest {
  /** What the server does for every workflow and activity task: a lock and an unlock by name. */
  private static void lockAndUnlockByName(TestServicesStarter services, int times) throws Exception {
    Object timer = TimerLockEventsTrim.field(services, "selfAdvancingTimer");
    Method lock = timer.getClass().getDeclaredMethod("lockTimeSkipping", String.class);
    Method unlock = timer.getClass().getDeclaredMethod("unlockTimeSkipping", String.class);
    lock.setAccessible(true);
    unlock.setAccessible(true);
    for (int i = 0; i < times; i++) {
      lock.invoke(timer, "task " + i);
      unlock.invoke(timer, "task " + i);
    }
  }

  @Test
  void theSdksServerKeepsEveryEventWithoutIt() throws Exception {
    // The bug the trim works around. Should an SDK upgrade fix it, this fails: drop the trim then.
    try (TestServicesStarter services = new TestServicesStarter(true, 0)) {
      int before = TimerLockEventsTrim.size(services);
      lockAndUnlockByName(services, 3_000);
      assertTrue(TimerLockEventsTrim.size(services) >= before + 3_000,
          "events kept: " + TimerLockEventsTrim.size(services));
    }
  }

  @Test
  void theEmbeddedServerKeepsOnlyTheNewestEvents() throws Exception {
    try (EmbeddedTemporal server = EmbeddedTemporal.start(0)) {
      lockAndUnlockByName(server.services(), 3_000);
      assertEquals(TimerLockEventsTrim.CAPACITY, server.timerLockEvents());
      // Applying it again changes nothing.
      assertTrue(TimerLockEventsTrim.apply(server.services()));
      assertEquals(TimerLockEventsTrim.CAPACITY, server.timerLockEvents());
    }
  }

  @Test
  void theBoundedListDropsTheOldestAndRemovesFromTheNewestEnd() {
    BoundedLockEvents<String> events = new BoundedLockEvents<>(3);
    for (String e : List.of("a", "b", "x", "c", "x")) {
      events.add(e);
    }
    assertEquals(List.of("x", "c", "x"), events);
    assertTrue(events.remove("x"));
    assertEquals(List.of("x", "c"), events, "the newest equal element goes");
    assertFalse(events.remove("a"), "dropped already");
    assertEquals(List.of("x", "c"), events);
  }
}
