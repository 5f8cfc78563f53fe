package io.migctl.daemon.confine;

import io.migctl.daemon.run.LaunchConfinement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Confinement as a script, for scenario tests and demos: records every request it prepares and
 * every attempt it releases, confines with a recognisable prefix ({@code confined-as USER --}),
 * refuses the next preparation when told, and reports the finding a test gave for an attempt.
 * Thread-safe.
 */
public final class FakeConfinement implements Confinement {

  private final List<ConfineRequest> prepared = new ArrayList<>();
  private final List<String> released = new ArrayList<>();
  private final Map<String, String> findings = new HashMap<>();
  private Optional<String> failNextPrepare = Optional.empty();

  @Override
  public Isolation isolation() {
    return new Isolation("fake", true, "scripted confinement for tests");
  }

  @Override
  public synchronized LaunchConfinement prepare(ConfineRequest request) {
    if (failNextPrepare.isPresent()) {
      String message = failNextPrepare.get();
      failNextPrepare = Optional.empty();
      throw new ConfinementException(message);
    }
    prepared.add(request);
    return new LaunchConfinement(
        List.of("confined-as", request.user(), "--"), List.of(), Optional.empty());
  }

  @Override
  public synchronized Optional<String> release(String name) {
    released.add(name);
    return Optional.ofNullable(findings.get(name));
  }

  /** The next {@link #prepare} throws with {@code message}. */
  public synchronized void failNextPrepare(String message) {
    failNextPrepare = Optional.of(message);
  }

  /** What {@link #release} of attempt {@code name} reports, e.g. an OOM kill. */
  public synchronized void finding(String name, String finding) {
    findings.put(name, finding);
  }

  /** Every request prepared, in order. */
  public synchronized List<ConfineRequest> prepared() {
    return List.copyOf(prepared);
  }

  /** Every attempt released, in order. */
  public synchronized List<String> released() {
    return List.copyOf(released);
  }
}
