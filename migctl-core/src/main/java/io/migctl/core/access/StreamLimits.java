package io.migctl.core.access;

import java.util.Optional;

/**
 * How many long-lived streams (followed logs) the daemon keeps open: each holds a connection, a
 * thread and an open log, so one client, or all of them together, must not hold more than these.
 *
 * @param perClient the most one client address may hold at once
 * @param total the most all clients together may hold at once
 */
public record StreamLimits(int perClient, int total) {

  /** 16 per client, 256 in all: far above what people follow, far below the file limit. */
  public static final StreamLimits DEFAULT = new StreamLimits(16, 256);

  /** Checks that both limits are positive and one client's fits in all. */
  public StreamLimits {
    if (perClient < 1 || total < 1 || perClient > total) {
      throw new IllegalArgumentException(
          "stream limits must be positive, per client at most in all; were "
              + perClient
              + " per client and "
              + total
              + " in all");
    }
  }

  /**
   * Why one more stream is refused, or empty when it may open.
   *
   * @param client the client's address, for the message
   * @param openByClient the streams this client holds now
   * @param openInAll the streams all clients hold now
   */
  public Optional<String> refusal(String client, int openByClient, int openInAll) {
    if (openByClient >= perClient) {
      return Optional.of(
          client
              + " already follows "
              + openByClient
              + " logs, the most one client may at once ("
              + perClient
              + "); stop following one, or read the log without follow");
    }
    if (openInAll >= total) {
      return Optional.of(
          "the daemon already streams "
              + openInAll
              + " logs, the most it keeps open at once ("
              + total
              + "); try again when one has ended, or read the log without follow");
    }
    return Optional.empty();
  }
}
