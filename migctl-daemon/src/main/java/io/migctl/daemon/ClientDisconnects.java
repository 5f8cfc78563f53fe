package io.migctl.daemon;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.jetty.io.EndPoint;

/**
 * Tells when the client of a long response leaves while the response writes nothing: a followed log
 * of a silent job would otherwise keep its connection, its thread and its open log until the job
 * ends, since a server learns of a closed connection only when it reads or writes.
 *
 * <p>How: Jetty does not read an HTTP/1.1 connection while its request is handled (a GET has no
 * body to read), so one thread watches the connections of the streams in a {@link Selector} of its
 * own, beside Jetty's. When the client closes (FIN or RST, also under TLS), the socket becomes
 * readable, the read gives end-of-stream, and the stream is told at once: the latency is the
 * selector's wake-up, well under a millisecond on an idle node. Bytes the client sends instead
 * (another request pipelined behind the stream, or a TLS close_notify) also end the stream, and the
 * connection is closed after it, since they were read here and Jetty will never see them. A client
 * that vanishes without closing (its machine lost power) is found only when a write fails, as on
 * any TCP connection.
 *
 * <p>Thread-safe. One watcher per daemon; {@link #close} stops its thread.
 */
final class ClientDisconnects implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(ClientDisconnects.class.getName());

  /** Lets the selector drop keys that Jetty's close of a channel cancelled, even when idle. */
  private static final long SELECT_MS = 1000;

  private final Selector selector;
  private final Thread thread;
  private volatile boolean open = true;

  ClientDisconnects() {
    try {
      this.selector = Selector.open();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open a selector to watch clients", e);
    }
    this.thread = Thread.ofPlatform().name("migctl-client-watch").daemon().start(this::run);
  }

  /** A watched connection; closing it stops the watch (the connection stays open). */
  interface Watch extends AutoCloseable {
    /** Whether the client sent bytes that were read here: close the connection after the reply. */
    boolean readRequestBytes();

    @Override
    void close();
  }

  /**
   * Watches the connection of {@code endPoint}, calling {@code onGone} (on the watcher's thread;
   * keep it quick) once when the client closes it or sends anything on it.
   *
   * @return empty when the connection is not a socket this watcher can read (it then ends only when
   *     a write fails)
   */
  Optional<Watch> watch(EndPoint endPoint, Runnable onGone) {
    Optional<SocketChannel> channel = socketOf(endPoint);
    if (channel.isEmpty() || !open) {
      return Optional.empty();
    }
    Registration r = new Registration(onGone);
    try {
      r.key = channel.get().register(selector, SelectionKey.OP_READ, r);
    } catch (ClosedChannelException e) {
      onGone.run();
      return Optional.of(r);
    } catch (RuntimeException e) {
      LOG.log(Level.FINE, "cannot watch " + endPoint, e);
      return Optional.empty();
    }
    selector.wakeup(); // a registration takes effect at the next select
    return Optional.of(r);
  }

  /** The socket under Jetty's end point, through TLS. */
  private static Optional<SocketChannel> socketOf(EndPoint endPoint) {
    Object transport = endPoint;
    for (int depth = 0; depth < 4 && transport instanceof EndPoint e; depth++) {
      transport = e.getTransport();
    }
    return transport instanceof SocketChannel c && c.isOpen() ? Optional.of(c) : Optional.empty();
  }

  private void run() {
    ByteBuffer discard = ByteBuffer.allocate(4096);
    while (open) {
      try {
        selector.select(SELECT_MS);
      } catch (IOException | RuntimeException e) {
        LOG.log(
            Level.WARNING, "the client watcher's selector failed; followed logs end on write", e);
        return;
      }
      for (SelectionKey key : selector.selectedKeys()) {
        Registration r = (Registration) key.attachment();
        int read;
        try {
          read = ((SocketChannel) key.channel()).read(discard.clear());
        } catch (IOException | RuntimeException e) {
          read = -1; // reset by the peer, or closed meanwhile: gone either way
        }
        if (read != 0) {
          r.readRequestBytes = read > 0;
          key.cancel();
          r.gone();
        }
      }
      selector.selectedKeys().clear();
    }
  }

  @Override
  public void close() {
    open = false;
    selector.wakeup();
    try {
      thread.join(SELECT_MS * 2);
      selector.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      LOG.log(Level.FINE, "cannot close the client watcher's selector", e);
    }
  }

  private final class Registration implements Watch {
    private final Runnable onGone;
    private volatile SelectionKey key;
    private volatile boolean readRequestBytes;
    private boolean told;

    Registration(Runnable onGone) {
      this.onGone = onGone;
    }

    synchronized void gone() {
      if (!told) {
        told = true;
        onGone.run();
      }
    }

    @Override
    public boolean readRequestBytes() {
      return readRequestBytes;
    }

    @Override
    public void close() {
      SelectionKey k = key;
      if (k != null && k.isValid()) {
        k.cancel();
        selector.wakeup(); // deregistered at once: Jetty's close of the socket waits for it
      }
    }
  }
}
