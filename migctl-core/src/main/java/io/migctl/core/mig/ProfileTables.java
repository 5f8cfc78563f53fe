package io.migctl.core.mig;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Short forms for writing the catalog's profile tables. */
final class ProfileTables {

  private ProfileTables() {}

  static GpuInstanceProfile gi(
      String name,
      int id,
      int computeSlices,
      int memorySlices,
      long memoryMiB,
      int maxCount,
      int multiprocessors,
      Engines engines,
      List<Integer> starts,
      String... unverified) {
    List<Placement> placements = new ArrayList<>();
    for (int start : starts) {
      placements.add(new Placement(start, memorySlices));
    }
    return new GpuInstanceProfile(
        ProfileName.parse(name),
        id,
        computeSlices,
        memorySlices,
        memoryMiB,
        maxCount,
        multiprocessors,
        engines,
        placements,
        Set.of(unverified));
  }

  static Engines engines(int copy, int decoders, int encoders, int jpeg, int ofa) {
    return new Engines(copy, decoders, encoders, jpeg, ofa);
  }

  static List<Integer> at(Integer... starts) {
    return List.of(starts);
  }
}
