package io.migctl.core.mig.config;

/**
 * A config or hooks file is wrong. The message starts with the path to the bad element, e.g. {@code
 * mig-configs.custom[1].mig-devices: "3g.41gb" is not a profile of …}.
 */
public final class ConfigException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  private final String path;

  public ConfigException(String path, String problem) {
    super(path.isEmpty() ? problem : path + ": " + problem);
    this.path = path;
  }

  /** Where in the file: {@code mig-configs.custom[1].devices}, or empty for the whole file. */
  public String path() {
    return path;
  }
}
