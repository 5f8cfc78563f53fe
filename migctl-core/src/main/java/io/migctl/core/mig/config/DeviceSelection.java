package io.migctl.core.mig.config;

import java.util.List;

/** The {@code devices} of a mig-parted entry: {@code all}, or GPU indices. */
public sealed interface DeviceSelection {

  /** Whether the GPU with this index is selected. */
  boolean includes(int gpu);

  /** {@code devices: all}. */
  record All() implements DeviceSelection {
    @Override
    public boolean includes(int gpu) {
      return true;
    }
  }

  /** {@code devices: [0, 1]}. */
  record Indices(List<Integer> indices) implements DeviceSelection {
    public Indices {
      indices = List.copyOf(indices);
    }

    @Override
    public boolean includes(int gpu) {
      return indices.contains(gpu);
    }
  }
}
