package io.migctl.core.mig.config;

/**
 * A config or hooks file is wrong. The message starts with the path to the bad element, e.g. {@code
 * mig-configs.custom[1].mig-devices: "3g.41gb" is not a profile of …}.
 */
public final class ConfigException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  private final String path;
  private final String problem;

  public ConfigException(String path, String problem) {
    super(path.isEmpty() ? problem : path + ": " + problem);
    this.path = path;
    this.problem = problem;
  }

  /** Where in the file: {@code mig-configs.custom[1].devices}, or empty for the whole file. */
  public String path() {
    return path;
  }

  /** What is wrong and how to fix it, without the path. */
  public String problem() {
    return problem;
  }

  /**
   * The same error with the file in front, for errors found after parsing (when the layout is
   * resolved against the GPUs): {@code custom.yaml: mig-configs.custom[0].mig-devices: …}.
   *
   * @param source the file's name, {@code <stdin>}, or a label that also says where in the file
   */
  public ConfigException in(String source) {
    ConfigException e =
        new ConfigException(path.isEmpty() ? source : source + ": " + path, problem);
    e.initCause(this);
    return e;
  }
}
