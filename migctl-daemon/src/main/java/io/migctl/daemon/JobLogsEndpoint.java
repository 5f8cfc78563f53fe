package io.migctl.daemon;

import io.javalin.http.Context;
import io.migctl.core.access.StreamLimits;
import io.migctl.core.job.Job;
import io.migctl.daemon.run.LogFiles;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Request;

/**
 * {@code GET /api/v1/jobs/{id}/logs}: a job's output. Without {@code follow}, what is there now;
 * with it, streamed until the attempt ends ({@link #follow}). {@code stream} is {@code stdout}
 * (default) or {@code stderr}; {@code attempt} defaults to the latest.
 */
final class JobLogsEndpoint {

  /** How often a followed log's file is looked at for new output. */
  static final Duration FOLLOW_CHECK = Duration.ofMillis(100);

  private static final int LOG_CHUNK = 64 * 1024;

  private final JobService jobs;
  private final LogStreams logStreams = new LogStreams(StreamLimits.DEFAULT);
  private final ClientDisconnects disconnects = new ClientDisconnects();

  JobLogsEndpoint(JobService jobs) {
    this.jobs = jobs;
    jobs.onEvent(logStreams::onJobEvent);
  }

  /** How many followed logs are open now. */
  int open() {
    return logStreams.open();
  }

  /** Ends every followed log, so that the server can stop. */
  void endStreams() {
    logStreams.closeAll();
  }

  /** Stops watching for clients that leave; after the server stopped. */
  void close() {
    disconnects.close();
  }

  void serve(Context ctx) throws IOException {
    Job job = JobAccess.visible(jobs, ctx);
    long id = job.id();
    String stream = Optional.ofNullable(ctx.queryParam("stream")).orElse("stdout");
    if (!stream.equals("stdout") && !stream.equals("stderr")) {
      throw DaemonException.invalid("stream: use stdout or stderr, not '" + stream + "'");
    }
    int attempt = RequestParams.intParam(ctx, "attempt", job.attempt(), 1, job.attempt());
    long offset = RequestParams.intParam(ctx, "offset", 0, 0, Integer.MAX_VALUE);
    boolean follow =
        Boolean.parseBoolean(Optional.ofNullable(ctx.queryParam("follow")).orElse("false"));
    Path file = jobs.attemptDir(id, attempt).resolve(stream + ".log");
    if (follow) {
      follow(ctx, id, attempt, file, offset);
      return;
    }
    ctx.contentType("text/plain; charset=utf-8");
    OutputStream out = ctx.res().getOutputStream();
    for (LogFiles.Chunk c = LogFiles.read(file, offset, LOG_CHUNK);
        c.bytes().length > 0;
        c = LogFiles.read(file, c.nextOffset(), LOG_CHUNK)) {
      out.write(c.bytes());
    }
  }

  /**
   * Streams a log until its attempt ends: the head at once, then new output as the file grows (its
   * size is looked at every {@link #FOLLOW_CHECK}), ending when the job service says the attempt
   * ended (never by reading the database while waiting) or when the client leaves — noticed by
   * {@link ClientDisconnects} at once even while the job prints nothing. Each client address may
   * hold {@link StreamLimits#DEFAULT} streams; beyond, 429.
   */
  private void follow(Context ctx, long id, int attempt, Path file, long offset)
      throws IOException {
    try (LogStreams.Stream stream = logStreams.open(ctx.req().getRemoteAddr(), id, attempt)) {
      // Read once, after the stream listens for the job's events, so that no end is missed.
      Job now = jobs.require(id);
      if (now.state().isTerminal() || now.attempt() != attempt) {
        stream.endJob();
      }
      Request jetty = Request.getBaseRequest(ctx.req());
      EndPoint endPoint = jetty == null ? null : jetty.getHttpChannel().getEndPoint();
      Optional<ClientDisconnects.Watch> watch =
          endPoint == null ? Optional.empty() : disconnects.watch(endPoint, stream::clientGone);
      try {
        ctx.contentType("text/plain; charset=utf-8");
        OutputStream out = ctx.res().getOutputStream();
        ctx.res().flushBuffer(); // the client knows at once that the stream is open
        long at = offset;
        while (!stream.isClientGone()) {
          // Read before copying: what the command wrote before its end is copied in this round.
          boolean ended = stream.jobEnded();
          at = copyNew(file, at, out, stream);
          if (ended) {
            break;
          }
          stream.await(FOLLOW_CHECK);
        }
      } catch (IOException e) {
        stream.clientGone(); // the head could not be sent: the client has gone
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        watch.ifPresent(
            w -> {
              w.close();
              if (w.readRequestBytes()) {
                endPoint.close(); // what the client sent was read here: this connection is done
              }
            });
      }
    }
  }

  /** Copies what {@code file} holds from {@code offset} on; the offset after it. */
  private static long copyNew(Path file, long offset, OutputStream out, LogStreams.Stream stream)
      throws IOException {
    long at = offset;
    for (LogFiles.Chunk c = LogFiles.read(file, at, LOG_CHUNK);
        c.bytes().length > 0;
        c = LogFiles.read(file, at, LOG_CHUNK)) {
      try {
        out.write(c.bytes());
        out.flush();
      } catch (IOException e) {
        stream.clientGone();
        return at;
      }
      at = c.nextOffset();
    }
    return at;
  }
}
