package io.migctl.core.slurm;

import io.migctl.core.mig.GpuDevice;
import io.migctl.core.mig.GpuModel;
import io.migctl.core.mig.GpuSnapshot;
import java.util.Locale;

/**
 * How a node's GPUs are named as Slurm GPU types ({@code Type=} in {@code gres.conf}, the middle
 * word of {@code --gres=gpu:<type>:<count>}).
 */
public enum GresNaming {
  /**
   * NVIDIA's profile names: {@code 1g.5gb}, {@code 1g.5gb+me}, {@code 1c.3g.20gb} for a MIG device
   * of a compute-instance profile; a GPU with MIG off is named by migctl's model key ({@code
   * a100-40gb}, {@code h100-80gb}). Slurm 22.05 accepts the dot and the {@code +} in a type ({@code
   * slurmd -G} reads them back unchanged), so no name is rewritten.
   */
  PROFILE {
    @Override
    String migDevice(GpuSnapshot gpu, GpuSnapshot.Instance instance, GpuSnapshot.Compute compute) {
      return compute.profile().name().toString();
    }

    @Override
    String wholeGpu(GpuDevice device, GpuModel model) {
      return model.key();
    }
  },

  /**
   * The names Slurm's own NVML plugin ({@code AutoDetect=nvml}, {@code gpu_nvml.c}) gives, so that
   * a site can switch to autodetection without changing job scripts. The device name NVML reports
   * is lower-cased with spaces turned into {@code _}; a GPU with MIG off is named by that alone
   * ({@code nvidia_a100-sxm4-40gb}); a MIG device by that name cut at its first {@code -}, then
   * {@code _<slices>g.<gb>gb} with the GPU instance's slice count and its memory in MiB divided by
   * 1024, rounded half away from zero ({@code nvidia_a100_1g.5gb}, {@code
   * nvidia_h100_80gb_hbm3_1g.10gb}). As in Slurm, a compute-instance profile takes its GPU
   * instance's name ({@code 1c.3g.20gb} is {@code nvidia_a100_3g.20gb}) and {@code +me} profiles
   * share their plain profile's name.
   */
  AUTODETECT {
    @Override
    String migDevice(GpuSnapshot gpu, GpuSnapshot.Instance instance, GpuSnapshot.Compute compute) {
      String name = nvmlName(gpu.device());
      int dash = name.indexOf('-');
      String base = dash < 0 ? name : name.substring(0, dash);
      long gb = Math.round(instance.profile().memoryMiB() / 1024.0);
      return base + "_" + instance.profile().computeSlices() + "g." + gb + "gb";
    }

    @Override
    String wholeGpu(GpuDevice device, GpuModel model) {
      return nvmlName(device);
    }
  };

  /** The type of one MIG device (a compute instance). */
  abstract String migDevice(
      GpuSnapshot gpu, GpuSnapshot.Instance instance, GpuSnapshot.Compute compute);

  /** The type of a GPU with MIG off. */
  abstract String wholeGpu(GpuDevice device, GpuModel model);

  /** The word for {@code --types}: {@code profile} or {@code autodetect}. */
  public String word() {
    return name().toLowerCase(Locale.ROOT);
  }

  private static String nvmlName(GpuDevice device) {
    return device.productName().toLowerCase(Locale.ROOT).replace(' ', '_');
  }
}
