package io.migctl.k8s.kubelet;

import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.ChannelOption;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollIoHandler;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.migctl.core.job.Durations;
import io.migctl.core.k8s.PodAllocation;
import io.migctl.k8s.podresources.v1.ContainerDevices;
import io.migctl.k8s.podresources.v1.ContainerResources;
import io.migctl.k8s.podresources.v1.ListPodResourcesRequest;
import io.migctl.k8s.podresources.v1.ListPodResourcesResponse;
import io.migctl.k8s.podresources.v1.PodResources;
import io.migctl.k8s.podresources.v1.PodResourcesListerGrpc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The kubelet's device allocations, asked from its PodResources v1 API ({@code List}) over gRPC on
 * the kubelet's Unix socket.
 *
 * <p>One channel serves every call for the object's life; {@link #close()} shuts it down. Each call
 * has a deadline and waits within it for a connection: a missing socket fails at once, a socket
 * nobody accepts on fails at the deadline. A call the kubelet fails as {@code UNAVAILABLE}, or that
 * met a connection the kubelet had just closed, is tried again (twice at most, within the same
 * deadline). After a failed connect the next call connects again at once instead of waiting out
 * gRPC's reconnect backoff, so a kubelet that restarted is seen on the agent's next resync.
 * Thread-safe.
 *
 * <p>Needs Linux (Netty's epoll transport, bundled in {@code grpc-netty-shaded} for x86_64 and
 * aarch64).
 */
public final class PodResourcesAllocations implements DeviceAllocations, AutoCloseable {

  /** Where the kubelet serves the PodResources API. */
  public static final Path DEFAULT_SOCKET = Path.of("/var/lib/kubelet/pod-resources/kubelet.sock");

  /** How long one {@code List} call may take unless the constructor is told otherwise. */
  public static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(10);

  private static final Duration CLOSE_GRACE = Duration.ofSeconds(1);

  /**
   * {@code List} only reads, so a call that met a connection the kubelet had just closed (it
   * restarted) is tried again on a fresh one, within the same deadline.
   */
  private static final Map<String, Object> RETRY_WHEN_UNAVAILABLE =
      Map.of(
          "methodConfig",
          List.of(
              Map.of(
                  "name",
                  List.of(Map.of("service", PodResourcesListerGrpc.SERVICE_NAME)),
                  "retryPolicy",
                  Map.of(
                      "maxAttempts",
                      3.0,
                      "initialBackoff",
                      "0.1s",
                      "maxBackoff",
                      "1s",
                      "backoffMultiplier",
                      2.0,
                      "retryableStatusCodes",
                      List.of("UNAVAILABLE")))));

  private final Path socket;
  private final Duration deadline;
  private final EventLoopGroup eventLoop;
  private final ManagedChannel channel;
  private final PodResourcesListerGrpc.PodResourcesListerBlockingStub stub;

  /**
   * Asks the kubelet on {@code socket} with the {@linkplain #DEFAULT_DEADLINE default deadline}.
   */
  public PodResourcesAllocations(Path socket) {
    this(socket, DEFAULT_DEADLINE);
  }

  /**
   * Asks the kubelet on {@code socket}; each call fails after {@code deadline}. Connects lazily: a
   * missing socket is reported by {@link #list()}, not here.
   *
   * @throws KubeletUnavailableException when Netty's epoll transport cannot load on this machine
   */
  public PodResourcesAllocations(Path socket, Duration deadline) {
    this.socket = Objects.requireNonNull(socket, "socket");
    this.deadline = Objects.requireNonNull(deadline, "deadline");
    if (deadline.isNegative() || deadline.isZero()) {
      throw new IllegalArgumentException(
          "the kubelet deadline must be positive, got " + Durations.format(deadline));
    }
    if (!Epoll.isAvailable()) {
      throw new KubeletUnavailableException(
          "cannot open the kubelet's Unix socket "
              + socket
              + ": Netty's epoll transport does not load here ("
              + Epoll.unavailabilityCause().getMessage()
              + "). It needs Linux on x86_64 or aarch64 and a java.io.tmpdir where the bundled"
              + " native library may be extracted and run (not mounted noexec).",
          Epoll.unavailabilityCause());
    }
    this.eventLoop = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    this.channel =
        NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toString()))
            .eventLoopGroup(eventLoop)
            .channelType(EpollDomainSocketChannel.class)
            // The kubelet's own clients (grpc-go on unix://) send this authority.
            .overrideAuthority("localhost")
            // gRPC asks for TCP keepalive, which a Unix socket lacks: Netty would warn per connect.
            .withOption(ChannelOption.SO_KEEPALIVE, null)
            .usePlaintext()
            .defaultServiceConfig(RETRY_WHEN_UNAVAILABLE)
            .enableRetry()
            .build();
    this.stub = PodResourcesListerGrpc.newBlockingStub(channel);
  }

  /** The socket asked. */
  public Path socket() {
    return socket;
  }

  /**
   * One {@link PodAllocation} per container and resource the kubelet has given devices (each {@code
   * ContainerDevices} entry), in the kubelet's order; containers without devices are left out.
   *
   * @throws KubeletUnavailableException when the kubelet cannot be reached, refuses or does not
   *     answer within the deadline; the message names the socket and what to check
   * @throws IllegalStateException after {@link #close()}
   */
  @Override
  public List<PodAllocation> list() {
    if (channel.isShutdown()) {
      throw new IllegalStateException("the kubelet client for " + socket + " is closed");
    }
    if (!Files.exists(socket)) {
      throw new KubeletUnavailableException(message("no socket file there"), null);
    }
    if (channel.getState(false) == ConnectivityState.TRANSIENT_FAILURE) {
      // Start afresh rather than wait out a reconnect backoff grown while the socket was unusable
      // (up to two minutes).
      channel.enterIdle();
    }
    ListPodResourcesResponse response;
    try {
      response =
          stub.withWaitForReady()
              .withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS)
              .list(ListPodResourcesRequest.getDefaultInstance());
    } catch (StatusRuntimeException e) {
      throw new KubeletUnavailableException(message(reason(e.getStatus())), e);
    }
    return allocations(response);
  }

  private static List<PodAllocation> allocations(ListPodResourcesResponse response) {
    List<PodAllocation> out = new ArrayList<>();
    for (PodResources pod : response.getPodResourcesList()) {
      for (ContainerResources container : pod.getContainersList()) {
        for (ContainerDevices devices : container.getDevicesList()) {
          out.add(
              new PodAllocation(
                  pod.getNamespace(),
                  pod.getName(),
                  container.getName(),
                  devices.getResourceName(),
                  devices.getDeviceIdsList()));
        }
      }
    }
    return out;
  }

  private String message(String reason) {
    return "cannot ask the kubelet which devices its pods hold on "
        + socket
        + ": "
        + reason
        + ". Check that the kubelet runs on this node and that the agent's pod mounts the host's"
        + " /var/lib/kubelet/pod-resources (the DaemonSet in deploy/k8s does)"
        + (socket.equals(DEFAULT_SOCKET) ? "" : " so that the socket is at " + socket)
        + ".";
  }

  private String reason(Status status) {
    String within = " within " + Durations.format(deadline);
    if (status.getCode() != Status.Code.DEADLINE_EXCEEDED) {
      return "the kubelet answered "
          + status.getCode()
          + (status.getDescription() == null ? "" : " (" + status.getDescription() + ")");
    }
    if (channel.getState(false) == ConnectivityState.READY) {
      return "the kubelet accepted the connection but gave no answer" + within;
    }
    return "nothing accepted a connection on it"
        + within
        + " (a socket file left behind by a kubelet that stopped, or one this user may not open)";
  }

  /** Shuts the channel and its event loop down; calls already running fail. Idempotent. */
  @Override
  public void close() {
    channel.shutdownNow();
    try {
      channel.awaitTermination(CLOSE_GRACE.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    eventLoop.shutdownGracefully(0, CLOSE_GRACE.toMillis(), TimeUnit.MILLISECONDS);
  }
}
