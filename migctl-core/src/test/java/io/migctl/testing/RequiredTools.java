package io.migctl.testing;

import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/**
 * The one place a test asks for a tool installed beside the JDK (gcc, python3 with venv, promtool,
 * Chromium and ChromeDriver). Without the tool the test is skipped with the reason; where {@code
 * MIGCTL_REQUIRE_TOOLS=1} (CI, {@code .ci/run}) it fails instead, so a CI machine that lost a tool
 * cannot pass by skipping. Only {@link #optional} tools (the conda family, which CI does not
 * install) are skipped even then, printing why.
 *
 * <p>Shared with the other modules' tests through {@code migctl-core}'s test jar.
 */
public final class RequiredTools {

  /** The variable that turns a missing tool into a failure. */
  public static final String VARIABLE = "MIGCTL_REQUIRE_TOOLS";

  private static final RequiredTools FROM_ENVIRONMENT = new RequiredTools(System.getenv());

  private final boolean required;

  /** Tools as {@code environment} asks for them ({@code MIGCTL_REQUIRE_TOOLS=1}: required). */
  public RequiredTools(Map<String, String> environment) {
    this.required = "1".equals(environment.get(VARIABLE));
  }

  /** Tools as this JVM's environment asks for them. */
  public static RequiredTools fromEnvironment() {
    return FROM_ENVIRONMENT;
  }

  /** Whether a missing tool fails the test rather than skipping it. */
  public boolean required() {
    return required;
  }

  /**
   * The tool when it was found; otherwise the calling test is skipped, or fails where tools are
   * required.
   *
   * @param why what is missing and how to install it
   */
  public <T> T require(Optional<T> tool, Supplier<String> why) {
    if (tool.isEmpty()) {
      missing(why.get());
    }
    return tool.get();
  }

  /** Like {@link #require(Optional, Supplier)} for a tool that is there or not. */
  public void require(boolean present, Supplier<String> why) {
    if (!present) {
      missing(why.get());
    }
  }

  /**
   * Skips (never fails) the calling test when an optional tool is missing, printing the reason to
   * standard error so that the build's output says what was not tested.
   */
  public void optional(boolean present, Supplier<String> why) {
    if (!present) {
      String reason = why.get();
      System.err.println("skipped: " + reason);
      throw new TestAbortedException(reason);
    }
  }

  private void missing(String why) {
    if (required) {
      throw new AssertionFailedError(why + " (" + VARIABLE + "=1 makes a missing tool a failure)");
    }
    throw new TestAbortedException(why);
  }
}
