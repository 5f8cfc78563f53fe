package io.migctl.k8s.kubelet;

import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.ChannelOption;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollIoHandler;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.grpc.stub.StreamObserver;
import io.migctl.core.k8s.PodAllocation;
import io.migctl.k8s.podresources.v1.ContainerDevices;
import io.migctl.k8s.podresources.v1.ContainerResources;
import io.migctl.k8s.podresources.v1.ListPodResourcesRequest;
import io.migctl.k8s.podresources.v1.ListPodResourcesResponse;
import io.migctl.k8s.podresources.v1.PodResources;
import io.migctl.k8s.podresources.v1.PodResourcesListerGrpc;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A kubelet's PodResources v1 API, served for real over gRPC on a Unix socket, answering {@code
 * List} from an {@link InMemoryDeviceAllocations} the test changes as it goes ({@code allocate},
 * {@code release}).
 *
 * <p>Pods are listed in the order their first allocation was made, their containers likewise; each
 * allocation is one {@code ContainerDevices} entry. {@link #addContainerWithoutDevices} lists a
 * container that holds nothing, as the kubelet lists every container of every pod; {@link
 * #stopAnswering()} makes later calls hang until their deadline, {@link #failNext} fails some.
 */
public final class FakeKubelet implements AutoCloseable {

  private record Container(String namespace, String pod, String name) {}

  private final Path socket;
  private final InMemoryDeviceAllocations source;
  private final List<Container> withoutDevices = new ArrayList<>();
  private final EventLoopGroup boss =
      new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
  private final EventLoopGroup worker =
      new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
  private final Server server;
  private volatile boolean answering = true;
  private final AtomicInteger failures = new AtomicInteger();

  private FakeKubelet(Path socket, InMemoryDeviceAllocations source) {
    this.socket = socket;
    this.source = source;
    this.server =
        NettyServerBuilder.forAddress(new DomainSocketAddress(socket.toString()))
            .channelType(EpollServerDomainSocketChannel.class)
            .bossEventLoopGroup(boss)
            .workerEventLoopGroup(worker)
            // gRPC asks for TCP keepalive, which a Unix socket lacks: Netty would warn per call.
            .withChildOption(ChannelOption.SO_KEEPALIVE, null)
            .addService(new Lister())
            .build();
  }

  /** Serves {@code source}'s allocations on {@code socket} (its folder must exist) until closed. */
  public static FakeKubelet start(Path socket, InMemoryDeviceAllocations source) {
    FakeKubelet kubelet = new FakeKubelet(socket, source);
    try {
      kubelet.server.start();
    } catch (IOException e) {
      kubelet.close();
      throw new UncheckedIOException("cannot serve a fake kubelet on " + socket, e);
    }
    return kubelet;
  }

  /** The socket served. */
  public Path socket() {
    return socket;
  }

  /** Lists {@code namespace/pod}'s {@code container} with no devices, after the allocations. */
  public synchronized void addContainerWithoutDevices(
      String namespace, String pod, String container) {
    withoutDevices.add(new Container(namespace, pod, container));
  }

  /** Later {@code List} calls are accepted and never answered (until {@link #close()}). */
  public void stopAnswering() {
    answering = false;
  }

  /**
   * The next {@code calls} calls of {@code List} answer {@code UNAVAILABLE}, as a kubelet going.
   */
  public void failNext(int calls) {
    failures.set(calls);
  }

  /** Stops serving; calls still open are cancelled. The socket file goes with the server. */
  @Override
  public void close() {
    server.shutdownNow();
    try {
      server.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    worker.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }

  private synchronized ListPodResourcesResponse response() {
    Map<List<String>, Map<String, ContainerResources.Builder>> pods = new LinkedHashMap<>();
    for (PodAllocation a : source.list()) {
      container(pods, a.namespace(), a.pod(), a.container())
          .addDevices(
              ContainerDevices.newBuilder()
                  .setResourceName(a.resource())
                  .addAllDeviceIds(a.deviceIds()));
    }
    for (Container c : withoutDevices) {
      container(pods, c.namespace(), c.pod(), c.name());
    }
    ListPodResourcesResponse.Builder response = ListPodResourcesResponse.newBuilder();
    pods.forEach(
        (key, containers) -> {
          PodResources.Builder pod =
              PodResources.newBuilder().setNamespace(key.get(0)).setName(key.get(1));
          containers.values().forEach(pod::addContainers);
          response.addPodResources(pod);
        });
    return response.build();
  }

  private static ContainerResources.Builder container(
      Map<List<String>, Map<String, ContainerResources.Builder>> pods,
      String namespace,
      String pod,
      String container) {
    return pods.computeIfAbsent(List.of(namespace, pod), k -> new LinkedHashMap<>())
        .computeIfAbsent(container, name -> ContainerResources.newBuilder().setName(name));
  }

  private final class Lister extends PodResourcesListerGrpc.PodResourcesListerImplBase {
    @Override
    public void list(
        ListPodResourcesRequest request, StreamObserver<ListPodResourcesResponse> observer) {
      if (failures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        observer.onError(
            Status.UNAVAILABLE.withDescription("the fake kubelet fails").asException());
      } else if (answering) {
        observer.onNext(response());
        observer.onCompleted();
      }
    }
  }
}
