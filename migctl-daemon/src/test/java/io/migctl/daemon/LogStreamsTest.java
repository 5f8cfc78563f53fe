package io.migctl.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.migctl.core.access.StreamLimits;
import io.migctl.core.job.JobEvent;
import io.migctl.core.job.JobState;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LogStreamsTest {

  private final LogStreams streams = new LogStreams(new StreamLimits(2, 3));

  @Test
  void streamsAreCountedPerClientAndInAllAndFreedWhenClosed() {
    LogStreams.Stream a1 = streams.open("a", 1, 1);
    streams.open("a", 2, 1);
    streams.open("b", 1, 1);

    assertThat(streams.open()).isEqualTo(3);
    assertThatThrownBy(() -> streams.open("a", 3, 1))
        .isInstanceOfSatisfying(
            DaemonException.class,
            e -> {
              assertThat(e.status()).isEqualTo(429);
              assertThat(e.code()).isEqualTo("too-many-streams");
              assertThat(e.getMessage()).startsWith("a already follows 2 logs");
            });
    assertThatThrownBy(() -> streams.open("c", 3, 1))
        .hasMessageContaining("already streams 3 logs");

    a1.close();
    a1.close();
    assertThat(streams.open()).isEqualTo(2);
    assertThat(streams.open("c", 3, 1)).isNotNull();
  }

  @Test
  void theEndOfTheFollowedAttemptEndsTheStreamAndNothingElseDoes() {
    LogStreams.Stream first = streams.open("a", 7, 1);
    LogStreams.Stream other = streams.open("a", 8, 1);

    streams.onJobEvent(event(7, JobState.RUNNING, 1));
    assertThat(first.jobEnded()).isFalse();
    streams.onJobEvent(event(7, JobState.QUEUED, 2));
    assertThat(first.jobEnded()).as("a retry began a new attempt").isTrue();
    streams.onJobEvent(event(8, JobState.SUCCEEDED, 1));
    assertThat(other.jobEnded()).isTrue();
  }

  @Test
  void stoppingEndsEveryStreamAndOpensNoMore() {
    LogStreams.Stream s = streams.open("a", 1, 1);

    streams.closeAll();

    assertThat(s.isClientGone()).isTrue();
    assertThatThrownBy(() -> streams.open("a", 1, 1))
        .isInstanceOfSatisfying(DaemonException.class, e -> assertThat(e.status()).isEqualTo(503));
  }

  private static JobEvent event(long job, JobState to, int attempt) {
    return new JobEvent(
        0, job, Instant.EPOCH, JobState.RUNNING, to, attempt, "test", "", Optional.empty());
  }
}
