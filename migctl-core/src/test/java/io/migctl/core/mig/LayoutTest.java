package io.migctl.core.mig;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class LayoutTest {

  private static final GpuModel A100 = Catalog.A100_40GB;

  private static GpuInstanceProfile profile(GpuModel model, String name) {
    return model.profile(ProfileName.parse(name)).orElseThrow();
  }

  private static PlacedInstance gi(GpuModel model, String name, String placement) {
    return new PlacedInstance(profile(model, name), Placement.parse(placement));
  }

  private static PlacedInstance gi(String name, String placement, PlacedComputeInstance... cis) {
    return new PlacedInstance(profile(A100, name), Placement.parse(placement), List.of(cis));
  }

  /** A compute instance of {@code slices} slices inside the A100-40GB GI profile {@code gi}. */
  private static PlacedComputeInstance ci(String gi, int slices, String placement) {
    ComputeInstanceProfile profile =
        ComputeInstanceProfile.of(profile(A100, gi)).stream()
            .filter(c -> c.computeSlices() == slices)
            .findFirst()
            .orElseThrow();
    return new PlacedComputeInstance(profile, Placement.parse(placement));
  }

  private static LayoutCheck check(GpuModel model, PlacedInstance... instances) {
    return new Layout(List.of(instances)).checkOn(model);
  }

  @Test
  void emptyLayoutIsValid() {
    LayoutCheck check = check(A100);
    assertThat(check.isValid()).isTrue();
    assertThat(check.message()).isEmpty();
  }

  @Test
  void theLayoutTheDriverMissesIsValid() {
    // mig-profiles.md §4.3: -cgi 9,19,14,19 gives 3g@4:4, 2g@2:2, 1g@0:1, 1g@1:1.
    LayoutCheck check =
        check(
            A100,
            gi(A100, "3g.20gb", "4:4"),
            gi(A100, "2g.10gb", "2:2"),
            gi(A100, "1g.5gb", "0:1"),
            gi(A100, "1g.5gb", "1:1"));
    assertThat(check.violations()).isEmpty();
    assertThat(check.isValid()).isTrue();
  }

  @Test
  void otherValidLayouts() {
    assertThat(check(A100, gi(A100, "7g.40gb", "0:8")).violations()).isEmpty();
    assertThat(check(A100, gi(A100, "4g.20gb", "0:4"), gi(A100, "3g.20gb", "4:4")).violations())
        .isEmpty();
    assertThat(
            check(
                    A100,
                    gi(A100, "1g.10gb", "0:2"),
                    gi(A100, "1g.10gb", "2:2"),
                    gi(A100, "1g.10gb", "4:2"),
                    gi(A100, "1g.10gb", "6:2"))
                .violations())
        .isEmpty();
    assertThat(
            check(
                    Catalog.A30_24GB,
                    gi(Catalog.A30_24GB, "2g.12gb+me", "0:2"),
                    gi(Catalog.A30_24GB, "1g.6gb", "2:1"),
                    gi(Catalog.A30_24GB, "1g.6gb", "3:1"))
                .violations())
        .isEmpty();
  }

  @Test
  void overlapNamesBothInstancesAndTheSlices() {
    LayoutCheck check = check(A100, gi(A100, "3g.20gb", "0:4"), gi(A100, "2g.10gb", "2:2"));
    assertThat(check.isValid()).isFalse();
    assertThat(check.violations())
        .singleElement()
        .isInstanceOfSatisfying(
            LayoutViolation.Overlap.class,
            o -> assertThat(o.slices()).isEqualTo(Placement.parse("2:2")));
    assertThat(check.message())
        .contains("3g.20gb@0:4", "2g.10gb@2:2", "memory slices 2-3")
        .isEqualTo(check.violations().getFirst().message());
  }

  @Test
  void overlapOnOneSliceSaysSlice() {
    LayoutCheck check = check(A100, gi(A100, "1g.10gb", "6:2"), gi(A100, "1g.5gb", "6:1"));
    assertThat(check.violations()).singleElement().isInstanceOf(LayoutViolation.Overlap.class);
    assertThat(check.message()).contains("1g.10gb@6:2", "1g.5gb@6:1", "memory slice 6");
  }

  @Test
  void placementNotInTheProfilesListNamesTheAllowedOnes() {
    LayoutCheck check = check(A100, gi(A100, "3g.20gb", "2:4"));
    assertThat(check.violations())
        .singleElement()
        .isInstanceOf(LayoutViolation.NotAPlacement.class);
    assertThat(check.message()).contains("3g.20gb@2:4", "{0,4}:4");
  }

  @Test
  void tooManyOfOneProfile() {
    LayoutCheck check =
        check(
            A100,
            gi(A100, "3g.20gb", "0:4"),
            gi(A100, "3g.20gb", "4:4"),
            gi(A100, "3g.20gb", "0:4"));
    assertThat(check.violations())
        .filteredOn(LayoutViolation.TooMany.class::isInstance)
        .singleElement()
        .isEqualTo(new LayoutViolation.TooMany(profile(A100, "3g.20gb"), 3));
    assertThat(check.message()).contains("3 × 3g.20gb", "at most 2");
  }

  @Test
  void mediaExtensionsOnlyOnce() {
    GpuModel a30 = Catalog.A30_24GB;
    LayoutCheck check = check(a30, gi(a30, "1g.6gb+me", "0:1"), gi(a30, "2g.12gb+me", "2:2"));
    assertThat(check.violations())
        .singleElement()
        .isInstanceOf(LayoutViolation.MediaExtensionsTwice.class);
    assertThat(check.message()).contains("1g.6gb+me@0:1", "2g.12gb+me@2:2");
  }

  @Test
  void besideAllMediaOnlyInstancesWithoutMediaFit() {
    GpuModel rtx = CatalogRtxPro.SERVER;
    PlacedInstance all = gi(rtx, "1g.24gb+me.all", "0:1");
    assertThat(
            check(rtx, all, gi(rtx, "1g.24gb-me", "1:1"), gi(rtx, "2g.48gb-me", "2:2")).isValid())
        .isTrue();

    LayoutCheck plain = check(rtx, all, gi(rtx, "1g.24gb", "1:1"), gi(rtx, "2g.48gb+gfx", "2:2"));
    assertThat(plain.violations())
        .hasSize(2)
        .allMatch(v -> v instanceof LayoutViolation.AllMediaTaken);
    assertThat(plain.message()).contains("1g.24gb+me.all@0:1", "1g.24gb@1:1", "only -me");

    LayoutCheck twice = check(rtx, all, gi(rtx, "1g.24gb+me", "1:1"));
    assertThat(twice.violations())
        .singleElement()
        .isInstanceOf(LayoutViolation.MediaExtensionsTwice.class);
  }

  @Test
  void profileOfAnotherModel() {
    PlacedInstance foreign = gi(Catalog.H100_80GB, "3g.40gb", "0:4");
    LayoutCheck check = check(Catalog.A100_80GB, foreign);
    assertThat(check.violations())
        .singleElement()
        .isEqualTo(new LayoutViolation.UnknownProfile(foreign, Catalog.A100_80GB));
    assertThat(check.message()).contains("3g.40gb", Catalog.A100_80GB.name(), "3g.40gb, 4g.40gb");
  }

  @Test
  void moreComputeSlicesThanTheGpuHas() {
    LayoutCheck check = check(A100, gi(A100, "7g.40gb", "0:8"), gi(A100, "1g.5gb", "0:1"));
    assertThat(check.violations())
        .hasSize(2)
        .hasAtLeastOneElementOfType(LayoutViolation.Overlap.class)
        .contains(new LayoutViolation.ComputeSlicesExceeded(8, 7));
    assertThat(check.message()).contains("need 8 compute slices", "has 7");
  }

  @Test
  void computeInstancesThatFit() {
    assertThat(
            check(
                    A100,
                    gi(
                        "3g.20gb",
                        "4:4",
                        ci("3g.20gb", 1, "0:1"),
                        ci("3g.20gb", 1, "1:1"),
                        ci("3g.20gb", 1, "2:1")))
                .violations())
        .isEmpty();
    assertThat(check(A100, gi("3g.20gb", "0:4", ci("3g.20gb", 3, "0:3"))).violations()).isEmpty();
    assertThat(
            check(A100, gi("3g.20gb", "0:4", ci("3g.20gb", 2, "0:2"), ci("3g.20gb", 1, "2:1")))
                .violations())
        .isEmpty();
    assertThat(
            check(
                    A100,
                    gi(
                        "7g.40gb",
                        "0:8",
                        ci("7g.40gb", 1, "0:1"),
                        ci("7g.40gb", 2, "2:2"),
                        ci("7g.40gb", 3, "4:3")))
                .violations())
        .isEmpty();
  }

  @Test
  void overlappingComputeInstances() {
    LayoutCheck check =
        check(A100, gi("3g.20gb", "4:4", ci("3g.20gb", 2, "0:2"), ci("3g.20gb", 1, "1:1")));
    assertThat(check.violations())
        .singleElement()
        .isInstanceOf(LayoutViolation.ComputeInstanceMisfit.class);
    assertThat(check.message())
        .contains("3g.20gb@4:4", "2c.3g.20gb@0:2", "1c.3g.20gb@1:1", "compute slice 1");
  }

  @Test
  void computeInstanceProfileOfAnotherGpuInstance() {
    LayoutCheck check = check(A100, gi("3g.20gb", "0:4", ci("2g.10gb", 1, "0:1")));
    assertThat(check.violations())
        .singleElement()
        .isInstanceOf(LayoutViolation.ComputeInstanceMisfit.class);
    assertThat(check.message()).contains("3g.20gb@0:4", "1c.2g.10gb", "1c.3g.20gb");
  }

  @Test
  void computeInstanceAtAPlacementItsProfileDoesNotHave() {
    LayoutCheck check = check(A100, gi("3g.20gb", "0:4", ci("3g.20gb", 2, "1:2")));
    assertThat(check.violations())
        .singleElement()
        .isInstanceOf(LayoutViolation.ComputeInstanceMisfit.class);
    assertThat(check.message()).contains("3g.20gb@0:4", "2c.3g.20gb@1:2", "[0:2]");
  }

  @Test
  void tooManyComputeInstances() {
    LayoutCheck check =
        check(A100, gi("2g.10gb", "0:2", ci("2g.10gb", 2, "0:2"), ci("2g.10gb", 2, "0:2")));
    assertThat(check.violations())
        .hasOnlyElementsOfType(LayoutViolation.ComputeInstanceMisfit.class)
        .hasSize(2);
    assertThat(check.message()).contains("2 × 2g.10gb, but at most 1 fit", "compute slices 0-1");
  }

  @Test
  void collectsEveryViolationAtOnce() {
    GpuModel a30 = Catalog.A30_24GB;
    LayoutCheck check =
        check(
            a30,
            gi(a30, "2g.12gb+me", "0:2"),
            gi(a30, "1g.6gb+me", "1:1"),
            gi(a30, "2g.12gb", "1:2"),
            gi(Catalog.A100_40GB, "1g.5gb", "3:1"));
    assertThat(check.violations())
        .hasAtLeastOneElementOfType(LayoutViolation.Overlap.class)
        .hasAtLeastOneElementOfType(LayoutViolation.NotAPlacement.class)
        .hasAtLeastOneElementOfType(LayoutViolation.MediaExtensionsTwice.class)
        .hasAtLeastOneElementOfType(LayoutViolation.UnknownProfile.class);
    assertThat(check.message().lines()).hasSize(check.violations().size());
    assertThat(check.message()).contains("2g.12gb+me@0:2", "1g.6gb+me@1:1", "2g.12gb@1:2");
  }
}
