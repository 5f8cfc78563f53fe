package io.migctl.daemon;

import io.migctl.core.metrics.DeviceUtilization;
import io.migctl.core.metrics.GpuTelemetry;
import io.migctl.core.metrics.MigTelemetry;
import io.migctl.core.metrics.ProfRatios;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.function.Function;

/**
 * The GPU and MIG series of {@code /metrics}, under DCGM exporter's names and labels — {@code gpu},
 * {@code UUID}, {@code pci_bus_id}, {@code device}, {@code modelName}, {@code Hostname}, {@code
 * DCGM_FI_DRIVER_VERSION}, and {@code GPU_I_PROFILE}, {@code GPU_I_ID} on MIG devices — so DCGM
 * dashboards work unchanged. Values of the parent GPU (temperature, power, clocks) appear once per
 * GPU, without {@code GPU_I_*} labels, and so do its engine utilisation (GPU, memory copy, encoder,
 * decoder: only with MIG off, where NVML reports them) and PCIe rates; framebuffer and DCGM's
 * profiling ratios ({@code DCGM_FI_PROF_*}: graphics engine, SM active and occupancy, tensor, DRAM,
 * FP64/FP32/FP16 pipes) appear per MIG device (per GPU when MIG is off), and summing framebuffer
 * over {@code GPU_I_ID} gives the GPU's. A value the driver does not report is left out, never
 * written as 0. On the simulated node every series carries {@code simulated="true"}. MIG series
 * also carry {@code tenant}: the tenant of the job on the GPU instance, empty when none holds it
 * (as DCGM exporter adds a pod's labels on Kubernetes).
 */
final class DcgmSeries implements MultiCollector {

  private static final String FB_USED = "Framebuffer memory used (in MiB).";
  private static final String FB_FREE = "Framebuffer memory free (in MiB).";

  /** A DCGM field: its name, its help text as dcgm-exporter's, and where its value is. */
  private record Field<T>(String name, String help, Function<T, OptionalDouble> value) {}

  /** The profiling ratios, per GPU instance with MIG on, per GPU with MIG off. */
  private static final List<Field<ProfRatios>> RATIOS =
      List.of(
          new Field<>(
              "DCGM_FI_PROF_GR_ENGINE_ACTIVE",
              "Ratio of time the graphics engine is active.",
              ProfRatios::grEngineActive),
          new Field<>(
              "DCGM_FI_PROF_SM_ACTIVE",
              "The ratio of cycles an SM has at least 1 warp assigned.",
              ProfRatios::smActive),
          new Field<>(
              "DCGM_FI_PROF_SM_OCCUPANCY",
              "The ratio of number of warps resident on an SM.",
              ProfRatios::smOccupancy),
          new Field<>(
              "DCGM_FI_PROF_PIPE_TENSOR_ACTIVE",
              "Ratio of cycles the tensor (HMMA) pipe is active.",
              ProfRatios::tensorActive),
          new Field<>(
              "DCGM_FI_PROF_DRAM_ACTIVE",
              "Ratio of cycles the device memory interface is active sending or receiving data.",
              ProfRatios::dramActive),
          new Field<>(
              "DCGM_FI_PROF_PIPE_FP64_ACTIVE",
              "Ratio of cycles the fp64 pipes are active.",
              ProfRatios::fp64Active),
          new Field<>(
              "DCGM_FI_PROF_PIPE_FP32_ACTIVE",
              "Ratio of cycles the fp32 pipes are active.",
              ProfRatios::fp32Active),
          new Field<>(
              "DCGM_FI_PROF_PIPE_FP16_ACTIVE",
              "Ratio of cycles the fp16 pipes are active.",
              ProfRatios::fp16Active));

  /** A GPU's engine and PCIe figures. */
  private static final List<Field<DeviceUtilization>> UTILIZATION =
      List.of(
          new Field<>(
              "DCGM_FI_DEV_GPU_UTIL", "GPU utilization (in %).", DeviceUtilization::gpuPercent),
          new Field<>(
              "DCGM_FI_DEV_MEM_COPY_UTIL",
              "Memory utilization (in %).",
              DeviceUtilization::memCopyPercent),
          new Field<>(
              "DCGM_FI_DEV_ENC_UTIL",
              "Encoder utilization (in %).",
              DeviceUtilization::encoderPercent),
          new Field<>(
              "DCGM_FI_DEV_DEC_UTIL",
              "Decoder utilization (in %).",
              DeviceUtilization::decoderPercent),
          new Field<>(
              "DCGM_FI_PROF_PCIE_TX_BYTES",
              "The rate of data transmitted over the PCIe bus - including both protocol headers"
                  + " and data payloads - in bytes per second.",
              DeviceUtilization::pcieTxBytesPerSecond),
          new Field<>(
              "DCGM_FI_PROF_PCIE_RX_BYTES",
              "The rate of data received over the PCIe bus - including both protocol headers and"
                  + " data payloads - in bytes per second.",
              DeviceUtilization::pcieRxBytesPerSecond));

  private final TelemetryService telemetry;
  private final String hostname;

  DcgmSeries(TelemetryService telemetry, String hostname) {
    this.telemetry = telemetry;
    this.hostname = hostname;
  }

  @Override
  public MetricSnapshots collect() {
    TelemetryService.Reading r = telemetry.latest();
    if (r == null) {
      return MetricSnapshots.of();
    }
    boolean simulated = r.sample().simulated();
    Map<String, String> tenants = new HashMap<>();
    for (TelemetryService.Slice sl : r.slices()) {
      sl.job()
          .ifPresent(
              j ->
                  tenants.put(
                      sl.gpu().index() + "/" + sl.device().gpuInstanceId(), j.spec().tenant()));
    }
    GaugeSeries s = new GaugeSeries();
    for (GpuTelemetry g : r.sample().gpus()) {
      Labels gpu = gpuLabels(g, simulated);
      g.temperatureC()
          .ifPresent(v -> s.add("DCGM_FI_DEV_GPU_TEMP", "GPU temperature (in C).", gpu, v));
      g.powerW().ifPresent(v -> s.add("DCGM_FI_DEV_POWER_USAGE", "Power draw (in W).", gpu, v));
      g.smClockMHz()
          .ifPresent(v -> s.add("DCGM_FI_DEV_SM_CLOCK", "SM clock frequency (in MHz).", gpu, v));
      g.memClockMHz()
          .ifPresent(
              v -> s.add("DCGM_FI_DEV_MEM_CLOCK", "Memory clock frequency (in MHz).", gpu, v));
      g.lastXid()
          .ifPresent(
              v ->
                  s.add(
                      "DCGM_FI_DEV_XID_ERRORS",
                      "Value of the last XID error encountered.",
                      gpu,
                      v));
      // NVML reports engine utilisation only with MIG off: absent with MIG on, as with DCGM.
      for (Field<DeviceUtilization> f : UTILIZATION) {
        f.value().apply(g.utilization()).ifPresent(v -> s.add(f.name(), f.help(), gpu, v));
      }
      if (g.instances().isEmpty()) {
        addRatios(s, g.activity(), gpu);
        if (g.fbUsedMiB().isPresent() && g.fbTotalMiB().isPresent()) {
          s.add("DCGM_FI_DEV_FB_USED", FB_USED, gpu, g.fbUsedMiB().getAsLong());
          s.add(
              "DCGM_FI_DEV_FB_FREE",
              FB_FREE,
              gpu,
              g.fbTotalMiB().getAsLong() - g.fbUsedMiB().getAsLong());
        }
      }
      // One series per GPU instance, as DCGM exporter reports MIG: its compute instances share
      // its framebuffer, so summing over GPU_I_ID gives the GPU's use exactly once.
      Set<Integer> done = new HashSet<>();
      for (MigTelemetry d : g.instances()) {
        if (!done.add(d.gpuInstanceId())) {
          continue;
        }
        Labels mig =
            gpu.merge(
                Labels.of(
                    "GPU_I_PROFILE",
                    giProfile(d.profile()),
                    "GPU_I_ID",
                    Integer.toString(d.gpuInstanceId()),
                    "tenant",
                    tenants.getOrDefault(g.index() + "/" + d.gpuInstanceId(), "")));
        s.add("DCGM_FI_DEV_FB_USED", FB_USED, mig, d.fbUsedMiB());
        s.add("DCGM_FI_DEV_FB_FREE", FB_FREE, mig, Math.max(0, d.fbTotalMiB() - d.fbUsedMiB()));
        addRatios(s, d.activity(), mig);
      }
    }
    return s.snapshots();
  }

  /** DCGM's profiling ratios, each where reported. */
  private static void addRatios(GaugeSeries s, ProfRatios r, Labels labels) {
    for (Field<ProfRatios> f : RATIOS) {
      f.value().apply(r).ifPresent(v -> s.add(f.name(), f.help(), labels, v));
    }
  }

  /** {@code 1c.3g.20gb} → {@code 3g.20gb}: DCGM names the GPU instance's profile. */
  static String giProfile(String profile) {
    return profile.matches("\\d+c\\..*") ? profile.substring(profile.indexOf('.') + 1) : profile;
  }

  private Labels gpuLabels(GpuTelemetry g, boolean simulated) {
    Labels l =
        Labels.of(
            "gpu", Integer.toString(g.index()),
            "UUID", g.uuid(),
            "device", "nvidia" + g.index(),
            "modelName", g.productName(),
            "Hostname", hostname,
            "DCGM_FI_DRIVER_VERSION", g.driverVersion());
    if (g.pciBusId().isPresent()) {
      l = l.merge(Labels.of("pci_bus_id", g.pciBusId().get()));
    }
    return simulated ? l.merge(Labels.of("simulated", "true")) : l;
  }
}
