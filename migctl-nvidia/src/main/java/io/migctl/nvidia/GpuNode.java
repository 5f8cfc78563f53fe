package io.migctl.nvidia;

import io.migctl.core.metrics.TelemetrySource;
import io.migctl.core.mig.MigDriver;
import io.migctl.nvidia.dev.DeviceNodes;
import io.migctl.nvidia.dev.DriverDeviceNodes;
import io.migctl.nvidia.dev.SimulatedDeviceNodes;
import io.migctl.nvidia.nvml.NvmlMigDriver;
import io.migctl.nvidia.nvml.NvmlTelemetry;
import io.migctl.nvidia.sim.SimulatedMigDriver;
import io.migctl.nvidia.sim.SimulatedTelemetry;
import io.migctl.process.SystemToolRunner;
import io.migctl.process.ToolRunner;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The GPUs of one node, as every part of migctl reaches them: the driver, the telemetry that reads
 * them and the words that name them, made together by one factory per kind of node ({@link
 * #simulated} or {@link #nvml}), so that no caller tells the kinds apart by the driver's class.
 *
 * <p>The telemetry is opened on the first call of {@link #telemetry()} (only the daemon reads it)
 * and closed by {@link #close()}, before the driver, as NVML's telemetry requires. Thread-safe.
 */
public final class GpuNode implements AutoCloseable {

  private final MigDriver driver;
  private final String description;
  private final Optional<SimulatedMigDriver> simulator;
  private final Telemetry<?> telemetry;
  private final DeviceNodes deviceNodes;
  private final Runnable closeDriver;

  private GpuNode(
      MigDriver driver,
      String description,
      Optional<SimulatedMigDriver> simulator,
      Telemetry<?> telemetry,
      DeviceNodes deviceNodes,
      Runnable closeDriver) {
    this.driver = Objects.requireNonNull(driver, "driver");
    this.description = description;
    this.simulator = simulator;
    this.telemetry = telemetry;
    this.deviceNodes = deviceNodes;
    this.closeDriver = closeDriver;
  }

  /**
   * The simulated node of {@code sim}, its device nodes in a temporary folder deleted on {@link
   * #close()}: for a node whose state does not outlive the process. Described as {@code simulated
   * <spec>}.
   */
  public static GpuNode simulated(SimulatedMigDriver sim) {
    SimulatedDeviceNodes nodes =
        SimulatedDeviceNodes.temporary(sim.spec().gpus().size(), new SystemToolRunner());
    return simulated(sim, nodes);
  }

  /**
   * The simulated node of {@code sim}, its device nodes (real ones, when root) and published
   * numbering under {@code deviceFolder}, which every process sharing the node's state should name
   * and jobs must be able to traverse (so not a private folder).
   */
  public static GpuNode simulated(SimulatedMigDriver sim, Path deviceFolder, ToolRunner tools) {
    return simulated(
        sim, SimulatedDeviceNodes.under(deviceFolder, sim.spec().gpus().size(), tools));
  }

  private static GpuNode simulated(SimulatedMigDriver sim, SimulatedDeviceNodes nodes) {
    return new GpuNode(
        sim,
        "simulated " + sim.spec(),
        Optional.of(sim),
        new Telemetry<>(() -> new SimulatedTelemetry(sim), t -> {}),
        nodes,
        nodes::close);
  }

  /**
   * The GPUs NVML reaches through {@code nvml}, their device nodes named by the host's driver:
   * described as {@code NVML}; closes NVML.
   */
  public static GpuNode nvml(NvmlMigDriver nvml) {
    return new GpuNode(
        nvml,
        "NVML",
        Optional.empty(),
        new Telemetry<>(() -> NvmlTelemetry.open(nvml), NvmlTelemetry::close),
        DriverDeviceNodes.host(nvml::gpuMinor),
        nvml::close);
  }

  /** The driver of this node's GPUs. */
  public MigDriver driver() {
    return driver;
  }

  /** The node in words, e.g. {@code simulated a100-40gb:2} or {@code NVML}. */
  public String description() {
    return description;
  }

  /** The simulated driver, for {@code migctl sim}'s faults and holders; empty on a real node. */
  public Optional<SimulatedMigDriver> simulator() {
    return simulator;
  }

  /** The device nodes of this node's MIG devices and GPUs, for cgroups, containers and CDI. */
  public DeviceNodes deviceNodes() {
    return deviceNodes;
  }

  /**
   * The telemetry of this node's GPUs, opened on first use; the same source on every call.
   *
   * @throws io.migctl.nvidia.nvml.NvmlUnavailableException when NVML's telemetry cannot be opened
   */
  public TelemetrySource telemetry() {
    return telemetry.get();
  }

  /** Closes the telemetry, if it was opened, then the driver. Idempotent. */
  @Override
  public void close() {
    try {
      telemetry.close();
    } finally {
      closeDriver.run();
    }
  }

  /** A source opened on first use and closed with the node. */
  private static final class Telemetry<T extends TelemetrySource> {
    private final Supplier<T> open;
    private final Consumer<T> close;
    private T opened;

    Telemetry(Supplier<T> open, Consumer<T> close) {
      this.open = open;
      this.close = close;
    }

    synchronized T get() {
      if (opened == null) {
        opened = open.get();
      }
      return opened;
    }

    synchronized void close() {
      if (opened != null) {
        T t = opened;
        opened = null;
        close.accept(t);
      }
    }
  }
}
