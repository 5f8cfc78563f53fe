package io.migctl.nvidia.sim;

import java.util.Arrays;
import java.util.Locale;

/** Driver operations of the simulated node that {@code migctl sim fail-next} can make fail. */
public enum SimOperation {
  CREATE_GI("create-gi"),
  CREATE_CI("create-ci"),
  DESTROY_GI("destroy-gi"),
  DESTROY_CI("destroy-ci"),
  SET_MODE("set-mode"),
  RESET("reset");

  private final String cliName;

  SimOperation(String cliName) {
    this.cliName = cliName;
  }

  /** The name on the command line, e.g. {@code create-gi}. */
  public String cliName() {
    return cliName;
  }

  /**
   * The operation with this command-line name.
   *
   * @throws IllegalArgumentException listing the names when {@code text} is none of them
   */
  public static SimOperation parse(String text) {
    String t = text.strip().toLowerCase(Locale.ROOT);
    return Arrays.stream(values())
        .filter(o -> o.cliName.equals(t))
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "\"" + text + "\" is not a simulated driver operation; use one of " + names()));
  }

  /** All command-line names, comma separated. */
  public static String names() {
    return String.join(", ", Arrays.stream(values()).map(SimOperation::cliName).toList());
  }
}
