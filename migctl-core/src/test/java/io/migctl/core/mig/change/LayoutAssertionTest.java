package io.migctl.core.mig.change;

import static org.assertj.core.api.Assertions.assertThat;

import io.migctl.core.mig.Catalog;
import io.migctl.core.mig.ComputeInstanceProfile;
import io.migctl.core.mig.GpuInstanceProfile;
import io.migctl.core.mig.GpuSnapshot;
import io.migctl.core.mig.MigMode;
import io.migctl.core.mig.ProfileName;
import io.migctl.core.mig.change.Layouts.Ci;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every kind of difference {@code mig assert} judges, each named in its own words. */
class LayoutAssertionTest {

  private static final String SOURCE = "mig-configs.c[0]";

  /** A GPU-instance profile of the A100 40GB. */
  private static GpuInstanceProfile gi(String name) {
    return Catalog.A100_40GB.profile(ProfileName.parse(name)).orElseThrow();
  }

  /** The compute-instance profile {@code name} of the GPU instance {@code gi}. */
  private static ComputeInstanceProfile ci(String gi, String name) {
    return ComputeInstanceProfile.of(gi(gi)).stream()
        .filter(c -> c.name().equals(ProfileName.parse(name)))
        .findFirst()
        .orElseThrow();
  }

  /** MIG on with these GPU-instance profiles, each with its default compute instance. */
  private static DesiredGpu wants(String... profiles) {
    List<DesiredInstance> instances = new ArrayList<>();
    for (String p : profiles) {
      instances.add(new DesiredInstance(gi(p), List.of(ci(p, p))));
    }
    return new DesiredGpu(0, true, instances, SOURCE);
  }

  private static DesiredGpu wantsMigOff() {
    return new DesiredGpu(0, false, List.of(), SOURCE);
  }

  private static List<String> differences(Layouts live, DesiredGpu desired) {
    return LayoutAssertion.differences(live.snapshot(), desired);
  }

  @Test
  void aGpuAsDesiredHasNoDifference() {
    Layouts live = new Layouts(Catalog.A100_40GB).gi("3g.20gb", 0).gi("3g.20gb", 4);

    assertThat(differences(live, wants("3g.20gb", "3g.20gb"))).isEmpty();
  }

  @Test
  void aGpuWithMigOffAsDesiredHasNoDifference() {
    assertThat(differences(new Layouts(Catalog.A100_40GB, MigMode.DISABLED), wantsMigOff()))
        .isEmpty();
  }

  @Test
  void placementsDoNotMatter() {
    Layouts live = new Layouts(Catalog.A100_40GB).gi("1g.5gb", 6).gi("4g.20gb", 0);

    assertThat(differences(live, wants("4g.20gb", "1g.5gb"))).isEmpty();
  }

  @Test
  void migOffWhereItShouldBeOnIsTheOnlyDifference() {
    assertThat(differences(new Layouts(Catalog.A100_40GB, MigMode.DISABLED), wants("7g.40gb")))
        .containsExactly("GPU 0: MIG mode is disabled, mig-configs.c[0] wants it enabled");
  }

  @Test
  void migOnWhereItShouldBeOffIsTheOnlyDifferenceWhateverItsInstances() {
    Layouts live = new Layouts(Catalog.A100_40GB).gi("7g.40gb", 0);

    assertThat(differences(live, wantsMigOff()))
        .containsExactly("GPU 0: MIG mode is enabled, mig-configs.c[0] wants it disabled");
  }

  @Test
  void migOnOnlyAfterAResetIsNotYetOn() {
    Layouts live = new Layouts(Catalog.A100_40GB, new MigMode(false, true));

    assertThat(differences(live, wants("7g.40gb")))
        .containsExactly(
            "GPU 0: MIG mode is disabled (enabled after a reset), mig-configs.c[0] wants it"
                + " enabled");
  }

  @Test
  void migOffAfterAResetIsADifferenceBesideTheDevices() {
    Layouts live = new Layouts(Catalog.A100_40GB, new MigMode(true, false)).gi("7g.40gb", 0);

    assertThat(differences(live, wants("7g.40gb")))
        .containsExactly(
            "GPU 0: MIG mode is enabled (disabled after a reset), mig-configs.c[0] wants it"
                + " enabled");
  }

  @Test
  void aMissingInstanceIsNamedWithBothCounts() {
    Layouts live = new Layouts(Catalog.A100_40GB).gi("3g.20gb", 0);

    assertThat(differences(live, wants("3g.20gb", "3g.20gb")))
        .containsExactly("GPU 0: has MIG devices 3g.20gb ×1, mig-configs.c[0] wants 3g.20gb ×2");
  }

  @Test
  void anExtraInstanceIsNamed() {
    Layouts live = new Layouts(Catalog.A100_40GB).gi("3g.20gb", 0).gi("1g.5gb", 4);

    assertThat(differences(live, wants("3g.20gb")))
        .containsExactly(
            "GPU 0: has MIG devices 1g.5gb ×1, 3g.20gb ×1, mig-configs.c[0] wants 3g.20gb ×1");
  }

  @Test
  void noInstanceWhereSomeAreWantedSaysNone() {
    assertThat(differences(new Layouts(Catalog.A100_40GB), wants("2g.10gb")))
        .containsExactly("GPU 0: has MIG devices none, mig-configs.c[0] wants 2g.10gb ×1");
  }

  @Test
  void instancesWhereNoneAreWantedAreNamed() {
    Layouts live = new Layouts(Catalog.A100_40GB).gi("2g.10gb", 0);

    assertThat(differences(live, wants()))
        .containsExactly("GPU 0: has MIG devices 2g.10gb ×1, mig-configs.c[0] wants none");
  }

  @Test
  void aWrongProfileOfTheSameSizeIsADifference() {
    Layouts live = new Layouts(Catalog.A100_40GB).gi("4g.20gb", 0);

    assertThat(differences(live, wants("3g.20gb")))
        .containsExactly("GPU 0: has MIG devices 4g.20gb ×1, mig-configs.c[0] wants 3g.20gb ×1");
  }

  @Test
  void computeInstancesAreCountedNotTheirGpuInstances() {
    Layouts live =
        new Layouts(Catalog.A100_40GB)
            .gi(
                "3g.20gb",
                0,
                List.of(new Ci("1c.3g.20gb", 0), new Ci("1c.3g.20gb", 1), new Ci("1c.3g.20gb", 2)));

    assertThat(differences(live, wants("3g.20gb")))
        .containsExactly("GPU 0: has MIG devices 1c.3g.20gb ×3, mig-configs.c[0] wants 3g.20gb ×1");
  }

  @Test
  void theSameComputeInstancesInOneGpuInstanceAreAsDesired() {
    Layouts live =
        new Layouts(Catalog.A100_40GB)
            .gi("3g.20gb", 4, List.of(new Ci("2c.3g.20gb", 0), new Ci("1c.3g.20gb", 2)));
    DesiredGpu desired =
        new DesiredGpu(
            0,
            true,
            List.of(
                new DesiredInstance(
                    gi("3g.20gb"),
                    List.of(ci("3g.20gb", "1c.3g.20gb"), ci("3g.20gb", "2c.3g.20gb")))),
            SOURCE);

    assertThat(differences(live, desired)).isEmpty();
  }

  @Test
  void aGpuInstanceWithoutComputeInstancesIsADifferenceOfItsOwn() {
    Layouts live = new Layouts(Catalog.A100_40GB).gi("3g.20gb", 0).gi("3g.20gb", 4, List.of());

    assertThat(differences(live, wants("3g.20gb")))
        .containsExactly("GPU 0: GPU instance 3g.20gb@4:4 has no compute instance");
  }

  @Test
  void everyDifferenceOfOneGpuIsListedInOrder() {
    Layouts live =
        new Layouts(Catalog.A100_40GB, new MigMode(true, false))
            .gi("2g.10gb", 0, List.of())
            .gi("1g.5gb", 6);

    assertThat(differences(live, wants("7g.40gb")))
        .containsExactly(
            "GPU 0: MIG mode is enabled (disabled after a reset), mig-configs.c[0] wants it"
                + " enabled",
            "GPU 0: GPU instance 2g.10gb@0:2 has no compute instance",
            "GPU 0: has MIG devices 1g.5gb ×1, mig-configs.c[0] wants 7g.40gb ×1");
  }

  @Test
  void theGpuIsNamedByItsIndexAndTheWishByItsSource() {
    GpuSnapshot live = new Layouts(Catalog.H100_80GB).index(3).snapshot();
    GpuInstanceProfile whole =
        Catalog.H100_80GB.profile(ProfileName.parse("7g.80gb")).orElseThrow();
    DesiredGpu desired =
        new DesiredGpu(
            3,
            true,
            List.of(
                new DesiredInstance(
                    whole,
                    ComputeInstanceProfile.of(whole).stream()
                        .filter(ComputeInstanceProfile::isDefault)
                        .toList())),
            "mig-configs.all-7g.80gb[1]");

    assertThat(LayoutAssertion.differences(live, desired))
        .containsExactly(
            "GPU 3: has MIG devices none, mig-configs.all-7g.80gb[1] wants 7g.80gb ×1");
  }
}
