package io.migctl.daemon.container;

import java.util.Objects;
import java.util.Optional;

/** No container engine: jobs with an image are refused at submit, with {@link #why}. */
public final class NoContainerRuntime implements ContainerRuntime {

  private final String why;

  /**
   * @param why why there is none and how to get one, as the refusal says it
   */
  public NoContainerRuntime(String why) {
    this.why = Objects.requireNonNull(why, "why");
  }

  @Override
  public String description() {
    return "none: " + why;
  }

  @Override
  public Optional<String> unavailable() {
    return Optional.of(why);
  }

  @Override
  public Invocation run(ContainerJob job) {
    throw new IllegalStateException(why);
  }

  /** Nothing was ever started, so nothing is removed. */
  @Override
  public void remove(String name) {}
}
