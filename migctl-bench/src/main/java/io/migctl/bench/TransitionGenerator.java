package io.migctl.bench;

import io.migctl.core.mig.GpuInstanceProfile;
import io.migctl.core.mig.GpuModel;
import io.migctl.core.mig.Layout;
import io.migctl.core.mig.PlacedInstance;
import io.migctl.core.mig.Placement;
import io.migctl.core.mig.PlacementSearch;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * Draws random valid transitions for one GPU model from a seeded generator; the same generator
 * state gives the same transitions.
 *
 * <ul>
 *   <li>Current layout: up to 8 tries, each picking a random profile and, among its placements that
 *       keep the layout valid ({@link Layout#checkOn}), a random one; a try with none adds nothing.
 *   <li>Busy: each MIG device with probability {@value #BUSY_PROBABILITY}.
 *   <li>Target: one time in three (when the GPU has instances), the current profiles with one or
 *       two changes (remove one, add one, swap one's profile); otherwise up to 7 random profiles,
 *       each added only if the whole multiset still has a placement on an empty GPU ({@link
 *       PlacementSearch}). Targets are never empty and always placeable on an empty GPU.
 * </ul>
 */
final class TransitionGenerator {

  static final double BUSY_PROBABILITY = 0.25;

  private static final int LAYOUT_TRIES = 8;
  private static final int MAX_TARGET_SIZE = 7;
  private static final int NEAR_TRIES = 20;

  private final GpuModel model;
  private final RandomGenerator random;
  private final PlacementSearch search;

  TransitionGenerator(GpuModel model, RandomGenerator random) {
    this.model = model;
    this.random = random;
    this.search = new PlacementSearch(model);
  }

  /** The next transition, numbered {@code index}. */
  Transition next(int index) {
    List<PlacedInstance> current = randomLayout();
    List<Boolean> busy = new ArrayList<>();
    for (int i = 0; i < current.size(); i++) {
      busy.add(random.nextDouble() < BUSY_PROBABILITY);
    }
    if (!current.isEmpty() && random.nextInt(3) == 0) {
      for (int i = 0; i < NEAR_TRIES; i++) {
        List<GpuInstanceProfile> near = nearTarget(current);
        if (!near.isEmpty() && placeable(near)) {
          return new Transition(index, model, current, busy, sorted(near), true);
        }
      }
    }
    return new Transition(index, model, current, busy, sorted(freshTarget()), false);
  }

  private List<PlacedInstance> randomLayout() {
    List<PlacedInstance> layout = new ArrayList<>();
    int tries = random.nextInt(LAYOUT_TRIES + 1);
    for (int t = 0; t < tries; t++) {
      GpuInstanceProfile profile = randomProfile();
      List<Placement> fits = new ArrayList<>();
      for (Placement p : profile.placements()) {
        List<PlacedInstance> with = new ArrayList<>(layout);
        with.add(new PlacedInstance(profile, p));
        if (new Layout(with).checkOn(model).isValid()) {
          fits.add(p);
        }
      }
      if (!fits.isEmpty()) {
        layout.add(new PlacedInstance(profile, fits.get(random.nextInt(fits.size()))));
      }
    }
    layout.sort(Comparator.comparing(PlacedInstance::placement));
    return layout;
  }

  private List<GpuInstanceProfile> nearTarget(List<PlacedInstance> current) {
    List<GpuInstanceProfile> profiles =
        new ArrayList<>(current.stream().map(PlacedInstance::profile).toList());
    int changes = 1 + random.nextInt(2);
    for (int c = 0; c < changes; c++) {
      switch (random.nextInt(3)) {
        case 0 -> {
          if (profiles.size() > 1) {
            profiles.remove(random.nextInt(profiles.size()));
          }
        }
        case 1 -> profiles.add(randomProfile());
        default -> {
          int i = random.nextInt(profiles.size());
          GpuInstanceProfile other = randomProfile();
          if (!other.equals(profiles.get(i))) {
            profiles.set(i, other);
          }
        }
      }
    }
    return profiles;
  }

  private List<GpuInstanceProfile> freshTarget() {
    List<GpuInstanceProfile> profiles = new ArrayList<>();
    while (profiles.isEmpty()) {
      int size = 1 + random.nextInt(MAX_TARGET_SIZE);
      for (int i = 0; i < size; i++) {
        GpuInstanceProfile candidate = randomProfile();
        profiles.add(candidate);
        if (!placeable(profiles)) {
          profiles.removeLast();
        }
      }
    }
    return profiles;
  }

  private boolean placeable(List<GpuInstanceProfile> profiles) {
    Map<GpuInstanceProfile, Integer> counts = new LinkedHashMap<>();
    profiles.forEach(p -> counts.merge(p, 1, Integer::sum));
    return search.place(counts).isPlaceable();
  }

  private GpuInstanceProfile randomProfile() {
    return model.profiles().get(random.nextInt(model.profiles().size()));
  }

  private List<GpuInstanceProfile> sorted(List<GpuInstanceProfile> profiles) {
    List<GpuInstanceProfile> out = new ArrayList<>(profiles);
    out.sort(Comparator.comparingInt(model.profiles()::indexOf));
    return out;
  }
}
