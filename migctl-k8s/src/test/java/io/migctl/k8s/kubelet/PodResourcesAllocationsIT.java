package io.migctl.k8s.kubelet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.migctl.core.k8s.PodAllocation;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The kubelet client against a real gRPC server on a Unix socket ({@link FakeKubelet}). */
class PodResourcesAllocationsIT {

  private static final String MIG_A = "MIG-6f1c0a3e-2b4d-5e8f-9a01-23456789abcd";
  private static final String MIG_B = "MIG-0b9d8c7e-6f5a-5432-1098-76543210fedc";
  private static final String GPU_1 = "GPU-3f2e1d0c-b9a8-4765-4321-0fedcba98765";

  @TempDir Path dir;

  @Test
  void listsEveryContainersDevicesPerResourceAndSkipsContainersWithout() {
    var source = new InMemoryDeviceAllocations();
    var trainer =
        new PodAllocation("ml", "trainer-0", "main", "nvidia.com/mig-3g.20gb", List.of(MIG_A));
    var trainerGpu = new PodAllocation("ml", "trainer-0", "main", "nvidia.com/gpu", List.of(GPU_1));
    var sidecar =
        new PodAllocation("ml", "trainer-0", "sidecar", "nvidia.com/mig-1g.5gb", List.of(MIG_B));
    var inference =
        new PodAllocation("serving", "infer-7", "server", "nvidia.com/gpu", List.of(GPU_1, MIG_A));
    List.of(trainer, trainerGpu, sidecar, inference).forEach(source::allocate);
    try (var kubelet = FakeKubelet.start(dir.resolve("kubelet.sock"), source);
        var allocations = new PodResourcesAllocations(kubelet.socket())) {
      kubelet.addContainerWithoutDevices("ml", "trainer-0", "log-shipper");
      kubelet.addContainerWithoutDevices("default", "web-1", "nginx");

      assertThat(allocations.list()).containsExactly(trainer, trainerGpu, sidecar, inference);

      source.release("ml", "trainer-0");
      assertThat(allocations.list()).containsExactly(inference);
    }
  }

  @Test
  void anEmptyNodeHasNoAllocations() {
    try (var kubelet =
            FakeKubelet.start(dir.resolve("kubelet.sock"), new InMemoryDeviceAllocations());
        var allocations = new PodResourcesAllocations(kubelet.socket())) {
      kubelet.addContainerWithoutDevices("default", "web-1", "nginx");

      assertThat(allocations.list()).isEmpty();
    }
  }

  @Test
  void aKubeletThatDoesNotRunIsNamedWithItsSocketAndWhatToCheck() {
    Path socket = dir.resolve("pod-resources/kubelet.sock");
    try (var allocations = new PodResourcesAllocations(socket)) {
      assertThatThrownBy(allocations::list)
          .isInstanceOf(KubeletUnavailableException.class)
          .hasMessageContaining(socket.toString())
          .hasMessageContaining("no socket file there")
          .hasMessageContaining("kubelet runs on this node")
          .hasMessageContaining("mounts the host's /var/lib/kubelet/pod-resources");
    }
  }

  @Test
  void aSocketFileThatNobodyServesIsRefused() throws IOException {
    Path socket = staleSocket(dir.resolve("kubelet.sock"));
    assertThat(socket).exists();
    try (var allocations = new PodResourcesAllocations(socket, Duration.ofMillis(200))) {
      assertThatThrownBy(allocations::list)
          .isInstanceOf(KubeletUnavailableException.class)
          .hasMessageContaining(socket.toString())
          .hasMessageContaining("nothing accepted a connection on it within 200ms")
          .hasMessageContaining("kubelet runs on this node");
    }
  }

  @Test
  void aKubeletThatNeverAnswersRunsIntoTheDeadline() {
    try (var kubelet =
            FakeKubelet.start(dir.resolve("kubelet.sock"), new InMemoryDeviceAllocations());
        var allocations = new PodResourcesAllocations(kubelet.socket(), Duration.ofSeconds(1))) {
      kubelet.stopAnswering();

      assertThatThrownBy(allocations::list)
          .isInstanceOf(KubeletUnavailableException.class)
          .hasMessageContaining(kubelet.socket().toString())
          .hasMessageContaining("accepted the connection but gave no answer within 1s");
    }
  }

  @Test
  void aCallTheKubeletFailsAsUnavailableIsTriedTwiceMore() {
    var source = new InMemoryDeviceAllocations();
    var pod = new PodAllocation("ml", "p", "c", "nvidia.com/mig-1g.5gb", List.of(MIG_B));
    source.allocate(pod);
    try (var kubelet = FakeKubelet.start(dir.resolve("kubelet.sock"), source);
        var allocations = new PodResourcesAllocations(kubelet.socket())) {
      kubelet.failNext(2);
      assertThat(allocations.list()).containsExactly(pod);

      kubelet.failNext(3);
      assertThatThrownBy(allocations::list)
          .isInstanceOf(KubeletUnavailableException.class)
          .hasMessageContaining(kubelet.socket().toString())
          .hasMessageContaining("the kubelet answered UNAVAILABLE (the fake kubelet fails)");
      assertThat(allocations.list()).containsExactly(pod);
    }
  }

  @Test
  void aKubeletThatComesBackIsSeenOnTheNextCall() throws IOException {
    Path socket = staleSocket(dir.resolve("kubelet.sock"));
    var source = new InMemoryDeviceAllocations();
    var pod = new PodAllocation("ml", "p", "c", "nvidia.com/mig-1g.5gb", List.of(MIG_B));
    source.allocate(pod);
    try (var allocations = new PodResourcesAllocations(socket, Duration.ofSeconds(2))) {
      assertThatThrownBy(allocations::list).isInstanceOf(KubeletUnavailableException.class);
      Files.delete(socket);
      assertThatThrownBy(allocations::list).isInstanceOf(KubeletUnavailableException.class);

      FakeKubelet kubelet = FakeKubelet.start(socket, source);
      assertThat(allocations.list()).containsExactly(pod);
      kubelet.close();

      kubelet = FakeKubelet.start(socket, source);
      try {
        source.release("ml", "p");
        assertThat(allocations.list()).isEmpty();
      } finally {
        kubelet.close();
      }
    }
  }

  @Test
  void aFailedConnectLogsNothing() throws IOException {
    var records = new ArrayList<LogRecord>();
    Handler recorder =
        new Handler() {
          @Override
          public synchronized void publish(LogRecord r) {
            if (r.getLevel().intValue() >= Level.INFO.intValue()) {
              records.add(r);
            }
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    Logger root = Logger.getLogger("");
    root.addHandler(recorder);
    Path socket = staleSocket(dir.resolve("kubelet.sock"));
    try (var allocations = new PodResourcesAllocations(socket, Duration.ofMillis(200))) {
      assertThatThrownBy(allocations::list).isInstanceOf(KubeletUnavailableException.class);
      assertThatThrownBy(allocations::list).isInstanceOf(KubeletUnavailableException.class);
    } finally {
      root.removeHandler(recorder);
    }
    synchronized (recorder) {
      assertThat(records).extracting(LogRecord::getMessage).isEmpty();
    }
  }

  @Test
  void aClosedClientSaysSo() {
    Path socket = dir.resolve("kubelet.sock");
    var allocations = new PodResourcesAllocations(socket);
    allocations.close();
    allocations.close();

    assertThatThrownBy(allocations::list)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(socket + " is closed");
  }

  @Test
  void theDeadlineMustBePositive() {
    assertThatThrownBy(() -> new PodResourcesAllocations(dir.resolve("k.sock"), Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must be positive");
  }

  @Test
  void withoutEpollTheClientSaysWhatItNeeds() throws IOException, InterruptedException {
    // Epoll's availability is fixed once per JVM: ask a fresh one where it is switched off.
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process child =
        new ProcessBuilder(
                java.toString(),
                "-Dio.grpc.netty.shaded.io.netty.transport.noNative=true",
                "-cp",
                System.getProperty("java.class.path"),
                WithoutEpoll.class.getName(),
                dir.resolve("kubelet.sock").toString())
            .redirectError(dir.resolve("stderr.txt").toFile())
            .start();
    String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

    assertThat(child.waitFor()).as(Files.readString(dir.resolve("stderr.txt"))).isZero();
    assertThat(output)
        .startsWith("KubeletUnavailableException: cannot open the kubelet's Unix socket ")
        .contains(dir.resolve("kubelet.sock").toString())
        .contains("epoll transport does not load here")
        .contains("explicit")
        .contains("Linux on x86_64 or aarch64");
  }

  /** Builds a client in a JVM without epoll and prints what it throws. */
  static final class WithoutEpoll {
    public static void main(String[] args) {
      try (var allocations = new PodResourcesAllocations(Path.of(args[0]))) {
        System.out.println("built a client for " + allocations.socket());
      } catch (KubeletUnavailableException e) {
        System.out.println("KubeletUnavailableException: " + e.getMessage());
      }
    }
  }

  /** A kubelet that died leaves its socket file behind: bound once, nobody listening now. */
  private static Path staleSocket(Path socket) throws IOException {
    try (var stale = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      stale.bind(UnixDomainSocketAddress.of(socket));
    }
    return socket;
  }
}
