package io.migctl.core.mig;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Answers "can these profile counts be placed on this GPU, beside the instances already there, and
 * where?" by trying placements (never orderings), so it finds a placement whenever one exists — the
 * case NVIDIA's driver misses when {@code nvidia-smi mig -cgi 19,19,14,9} leaves no window for the
 * 3g.
 *
 * <p>Counts are checked against the profile's max count and the single set of media extensions
 * first, then {@link IntervalPacking} searches the memory-slice axis.
 */
public final class PlacementSearch {

  private final GpuModel model;

  public PlacementSearch(GpuModel model) {
    this.model = model;
  }

  /** Places {@code counts} on an empty GPU. */
  public Feasibility place(Map<GpuInstanceProfile, Integer> counts) {
    return place(List.of(), counts);
  }

  /**
   * Places {@code counts} beside {@code existing}, which stay where they are.
   *
   * @param existing instances already on the GPU (assumed valid)
   * @param counts how many new instances of each profile
   * @throws IllegalArgumentException when a profile is not this model's or a count is negative
   */
  public Feasibility place(List<PlacedInstance> existing, Map<GpuInstanceProfile, Integer> counts) {
    return search(existing, counts, false);
  }

  /**
   * Like {@link #place(List, Map)}, but among all placements that fit, the one that leaves the most
   * room (see {@link #roomLeft}); ties go to the first found, lower starts first.
   */
  public Feasibility placeLeavingMostRoom(
      List<PlacedInstance> existing, Map<GpuInstanceProfile, Integer> counts) {
    return search(existing, counts, true);
  }

  /**
   * Places compute instances on a GPU instance's compute slices beside those already taken.
   *
   * @return one placement per compute instance, in their order, or empty when they do not fit
   */
  public static Optional<List<Placement>> placeComputeInstances(
      List<ComputeInstanceProfile> computeInstances, List<Placement> taken) {
    long occupied = 0;
    for (Placement p : taken) {
      occupied |= p.mask();
    }
    return IntervalPacking.pack(
        computeInstances.stream().map(ComputeInstanceProfile::placements).toList(), occupied);
  }

  /**
   * How much room the free memory slices leave, as a number to compare: first the memory slices of
   * the largest profile that still has a free placement (the largest contiguous space an instance
   * can use), then how many placements of all profiles stay free (so a small instance goes where it
   * blocks the fewest, as NVIDIA's driver also does).
   *
   * @param occupied the taken memory slices (bit i = slice i)
   */
  public int roomLeft(long occupied) {
    int largest = 0;
    int free = 0;
    for (GpuInstanceProfile p : model.profiles()) {
      for (Placement pl : p.placements()) {
        if ((pl.mask() & occupied) == 0) {
          free++;
          largest = Math.max(largest, p.memorySlices());
        }
      }
    }
    return largest * 10_000 + free;
  }

  private Feasibility search(
      List<PlacedInstance> existing, Map<GpuInstanceProfile, Integer> counts, boolean mostRoom) {
    Map<GpuInstanceProfile, Integer> wanted = new LinkedHashMap<>();
    for (GpuInstanceProfile p : model.profiles()) {
      Integer n = counts.get(p);
      if (n != null && n > 0) {
        wanted.put(p, n);
      }
    }
    for (Map.Entry<GpuInstanceProfile, Integer> e : counts.entrySet()) {
      if (!model.profiles().contains(e.getKey())) {
        throw new IllegalArgumentException(
            e.getKey().name()
                + " is not a profile of "
                + model.name()
                + "; its profiles are "
                + model.profileNamesText());
      }
      if (e.getValue() < 0) {
        throw new IllegalArgumentException(
            "count of " + e.getKey().name() + " must not be negative, was " + e.getValue());
      }
    }
    Optional<String> impossible = countProblem(existing, wanted);
    if (impossible.isPresent()) {
      return new Feasibility.Unplaceable(impossible.get());
    }
    long occupied = 0;
    for (PlacedInstance inst : existing) {
      occupied |= inst.placement().mask();
    }
    List<GpuInstanceProfile> items = new ArrayList<>();
    List<List<Placement>> choices = new ArrayList<>();
    wanted.forEach(
        (p, n) -> {
          for (int i = 0; i < n; i++) {
            items.add(p);
            choices.add(p.placements());
          }
        });
    Optional<List<Placement>> packed =
        mostRoom ? mostRoom(choices, occupied) : IntervalPacking.pack(choices, occupied);
    if (packed.isEmpty()) {
      return new Feasibility.Unplaceable(noArrangement(existing, wanted, occupied));
    }
    List<PlacedInstance> placed = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      placed.add(new PlacedInstance(items.get(i), packed.get().get(i)));
    }
    placed.sort(Comparator.comparing(PlacedInstance::placement));
    return new Feasibility.Placeable(placed);
  }

  private Optional<List<Placement>> mostRoom(List<List<Placement>> choices, long occupied) {
    List<List<Placement>> best = new ArrayList<>(1);
    int[] bestRoom = {-1};
    IntervalPacking.forEach(
        choices,
        occupied,
        packing -> {
          long mask = occupied;
          for (Placement p : packing) {
            mask |= p.mask();
          }
          int room = roomLeft(mask);
          if (room > bestRoom[0]) {
            bestRoom[0] = room;
            best.clear();
            best.add(packing);
          }
          return true;
        });
    return best.stream().findFirst();
  }

  /**
   * How many more instances of {@code profile} fit beside {@code existing}: the "Free" of {@code
   * nvidia-smi mig -lgip}.
   */
  public int remainingCapacity(List<PlacedInstance> existing, GpuInstanceProfile profile) {
    int fits = 0;
    while (fits < profile.maxCount() && place(existing, Map.of(profile, fits + 1)).isPlaceable()) {
      fits++;
    }
    return fits;
  }

  private Optional<String> countProblem(
      List<PlacedInstance> existing, Map<GpuInstanceProfile, Integer> wanted) {
    int media = 0;
    int computeSlices = 0;
    int memorySlices = 0;
    for (PlacedInstance inst : existing) {
      media += inst.profile().hasMediaExtensions() ? 1 : 0;
      computeSlices += inst.profile().computeSlices();
      memorySlices += inst.profile().memorySlices();
    }
    for (Map.Entry<GpuInstanceProfile, Integer> e : wanted.entrySet()) {
      GpuInstanceProfile p = e.getKey();
      int have = (int) existing.stream().filter(i -> i.profile().equals(p)).count();
      if (have + e.getValue() > p.maxCount()) {
        return Optional.of(
            (have + e.getValue())
                + " × "
                + p.name()
                + (have > 0 ? " (" + have + " already there)" : "")
                + ", but "
                + model.name()
                + " holds at most "
                + p.maxCount());
      }
      media += p.hasMediaExtensions() ? e.getValue() : 0;
      computeSlices += p.computeSlices() * e.getValue();
      memorySlices += p.memorySlices() * e.getValue();
    }
    if (media > 1) {
      return Optional.of(
          "media extensions (+me) are asked for " + media + " times, but a GPU has one set");
    }
    List<GpuInstanceProfile> all = new ArrayList<>();
    existing.forEach(i -> all.add(i.profile()));
    wanted.forEach((p, n) -> all.addAll(Collections.nCopies(n, p)));
    for (int i = 0; i < all.size(); i++) {
      for (int j = i + 1; j < all.size(); j++) {
        if (!all.get(i).leavesMediaFor(all.get(j))) {
          return Optional.of(
              all.get(i).name()
                  + " and "
                  + all.get(j).name()
                  + " cannot share a GPU: beside a +me.all instance only -me instances fit");
        }
      }
    }
    if (computeSlices > model.computeSlices()) {
      return Optional.of(
          "needs "
              + computeSlices
              + " compute slices, "
              + model.name()
              + " has "
              + model.computeSlices());
    }
    if (memorySlices > model.memorySlices()) {
      return Optional.of(
          "needs "
              + memorySlices
              + " memory slices, "
              + model.name()
              + " has "
              + model.memorySlices());
    }
    return Optional.empty();
  }

  private String noArrangement(
      List<PlacedInstance> existing, Map<GpuInstanceProfile, Integer> wanted, long occupied) {
    StringBuilder b = new StringBuilder("no arrangement of placements fits: ");
    List<String> parts = new ArrayList<>();
    wanted.forEach(
        (p, n) -> parts.add(n + " × " + p.name() + " may start at " + p.placementsText()));
    b.append(String.join("; ", parts));
    if (!existing.isEmpty()) {
      b.append("; memory slices ")
          .append(slicesText(occupied))
          .append(" are taken by ")
          .append(existing.stream().map(PlacedInstance::toString).toList());
    }
    return b.toString();
  }

  private static String slicesText(long mask) {
    List<String> runs = new ArrayList<>();
    int i = 0;
    while (i < Placement.MAX_SLICES) {
      if ((mask & (1L << i)) == 0) {
        i++;
        continue;
      }
      int j = i;
      while (j + 1 < Placement.MAX_SLICES && (mask & (1L << (j + 1))) != 0) {
        j++;
      }
      runs.add(new Placement(i, j - i + 1).slicesText());
      i = j + 1;
    }
    return String.join(",", runs);
  }
}
