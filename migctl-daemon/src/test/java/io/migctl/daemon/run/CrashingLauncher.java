package io.migctl.daemon.run;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A stand-in for the daemon, run in a JVM of its own by {@link JobProcessesIT}: launches one job,
 * prints the supervisor's pid and waits to be killed.
 *
 * <p>Arguments: ATTEMPT_DIR WORKDIR COMMAND [ARG...].
 */
final class CrashingLauncher {

  private CrashingLauncher() {}

  public static void main(String[] args) throws Exception {
    List<String> command = Arrays.asList(args).subList(2, args.length);
    JobProcesses.Launched launched =
        new JobProcesses()
            .launch(Path.of(args[0]), command, Map.of("PATH", "/usr/bin:/bin"), Path.of(args[1]));
    System.out.println(launched.pid());
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
