package io.migctl.core.mig.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One command of a mig-parted hooks file, run as an argument list (never through a shell).
 *
 * @param command the program
 * @param args its arguments
 * @param envs extra environment variables
 * @param workdir the working directory, if given
 */
public record HookCommand(
    String command, List<String> args, Map<String, String> envs, Optional<String> workdir) {

  public HookCommand {
    args = List.copyOf(args);
    envs = Collections.unmodifiableMap(new LinkedHashMap<>(envs));
  }
}
