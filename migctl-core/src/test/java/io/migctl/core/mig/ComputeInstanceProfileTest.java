package io.migctl.core.mig;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Compute-instance profiles as {@code nvidia-smi mig -lcip} lists them (mig-profiles.md §3 and the
 * {@code computeInstanceProfiles} section of mig-profiles.json).
 */
class ComputeInstanceProfileTest {

  private static List<ComputeInstanceProfile> of(GpuModel model, String gpuInstance) {
    return ComputeInstanceProfile.of(model.profile(ProfileName.parse(gpuInstance)).orElseThrow());
  }

  private static ComputeInstanceProfile withSlices(List<ComputeInstanceProfile> cis, int slices) {
    return cis.stream().filter(c -> c.computeSlices() == slices).findFirst().orElseThrow();
  }

  @Test
  void threeSliceGpuInstance() {
    List<ComputeInstanceProfile> cis = of(Catalog.A100_40GB, "3g.20gb");
    assertThat(cis)
        .extracting(
            ComputeInstanceProfile::id,
            c -> c.name().toString(),
            ComputeInstanceProfile::computeSlices,
            ComputeInstanceProfile::maxCount,
            ComputeInstanceProfile::isDefault)
        .containsExactly(
            tuple(0, "1c.3g.20gb", 1, 3, false),
            tuple(1, "2c.3g.20gb", 2, 1, false),
            tuple(2, "3g.20gb", 3, 1, true));
  }

  @Test
  void threeSliceGpuInstancePlacementsAsObservedInNvidiaSmiSamples() {
    List<ComputeInstanceProfile> cis = of(Catalog.A100_40GB, "3g.20gb");
    assertThat(withSlices(cis, 1).placements())
        .containsExactly(Placement.parse("0:1"), Placement.parse("1:1"), Placement.parse("2:1"));
    assertThat(withSlices(cis, 3).placements()).containsExactly(Placement.parse("0:3"));
  }

  @Test
  void sevenSliceGpuInstance() {
    List<ComputeInstanceProfile> cis = of(Catalog.H100_80GB, "7g.80gb");
    assertThat(cis)
        .extracting(
            ComputeInstanceProfile::id,
            c -> c.name().toString(),
            ComputeInstanceProfile::maxCount,
            ComputeInstanceProfile::isDefault)
        .containsExactly(
            tuple(0, "1c.7g.80gb", 7, false),
            tuple(1, "2c.7g.80gb", 3, false),
            tuple(2, "3c.7g.80gb", 2, false),
            tuple(3, "4c.7g.80gb", 1, false),
            tuple(4, "7g.80gb", 1, true));
  }

  @Test
  void fourSliceGpuInstanceHasNoThreeSliceComputeInstance() {
    List<ComputeInstanceProfile> cis = of(Catalog.A100_40GB, "4g.20gb");
    assertThat(cis)
        .extracting(
            ComputeInstanceProfile::id,
            c -> c.name().toString(),
            ComputeInstanceProfile::maxCount,
            ComputeInstanceProfile::isDefault)
        .containsExactly(
            tuple(0, "1c.4g.20gb", 4, false),
            tuple(1, "2c.4g.20gb", 2, false),
            tuple(3, "4g.20gb", 1, true));
  }

  @Test
  void twoSliceGpuInstance() {
    List<ComputeInstanceProfile> cis = of(Catalog.A30_24GB, "2g.12gb");
    assertThat(cis)
        .extracting(
            ComputeInstanceProfile::id,
            c -> c.name().toString(),
            ComputeInstanceProfile::maxCount,
            ComputeInstanceProfile::isDefault)
        .containsExactly(tuple(0, "1c.2g.12gb", 2, false), tuple(1, "2g.12gb", 1, true));
  }

  @Test
  void oneSliceGpuInstance() {
    assertThat(of(Catalog.A100_40GB, "1g.5gb"))
        .extracting(
            ComputeInstanceProfile::id,
            c -> c.name().toString(),
            ComputeInstanceProfile::maxCount,
            ComputeInstanceProfile::isDefault,
            ComputeInstanceProfile::placements)
        .containsExactly(tuple(0, "1g.5gb", 1, true, List.of(Placement.parse("0:1"))));
  }

  @Test
  void oneSliceGpuInstanceWithTwoMemorySlicesDefaultsToRevisionOne() {
    assertThat(of(Catalog.A100_40GB, "1g.10gb"))
        .extracting(
            ComputeInstanceProfile::id,
            c -> c.name().toString(),
            ComputeInstanceProfile::maxCount,
            ComputeInstanceProfile::isDefault)
        .containsExactly(tuple(7, "1g.10gb", 1, true));
    assertThat(of(Catalog.H100_80GB, "1g.20gb"))
        .extracting(ComputeInstanceProfile::id)
        .containsExactly(7);
  }

  @Test
  void everyComputeInstanceProfileOfEveryModelIsConsistent() {
    for (GpuModel model : Catalog.models()) {
      for (GpuInstanceProfile gi : model.profiles()) {
        List<ComputeInstanceProfile> cis = model.computeInstanceProfiles(gi);
        String where = model.key() + " " + gi.name();
        assertThat(cis).as(where).containsExactlyElementsOf(ComputeInstanceProfile.of(gi));
        assertThat(cis)
            .as(where + ": one default")
            .filteredOn(ComputeInstanceProfile::isDefault)
            .singleElement()
            .returns(gi.computeSlices(), ComputeInstanceProfile::computeSlices)
            .returns(gi.name(), ComputeInstanceProfile::name);
        for (ComputeInstanceProfile ci : cis) {
          String what = where + " " + ci.name();
          assertThat(ci.placements()).as(what).hasSize(ci.maxCount());
          assertThat(ci.name().gpuInstance()).as(what).isEqualTo(gi.name());
          assertThat(ci.placements())
              .as(what)
              .allSatisfy(
                  p -> {
                    assertThat(p.size()).isEqualTo(ci.computeSlices());
                    assertThat(p.end()).isLessThanOrEqualTo(gi.computeSlices());
                  })
              .doesNotHaveDuplicates();
          assertThat(ci.allows(ci.placements().getFirst())).as(what).isTrue();
        }
      }
    }
  }
}
