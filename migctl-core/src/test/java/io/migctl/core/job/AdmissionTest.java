package io.migctl.core.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.migctl.core.mig.Catalog;
import io.migctl.core.mig.GpuInstanceProfile;
import io.migctl.core.mig.GpuModel;
import io.migctl.core.mig.ProfileName;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class AdmissionTest {

  private static final List<GpuModel> A100 = List.of(Catalog.A100_40GB);

  private static Optional<Requirement> admit(GpuNeed need, List<GpuModel> models) {
    return Admission.requirement(need, models);
  }

  private static GpuNeed profile(String name) {
    return new GpuNeed.Profile(ProfileName.parse(name));
  }

  private static JobSpecException refused(GpuNeed need, List<GpuModel> models) {
    try {
      Optional<Requirement> r = Admission.requirement(need, models);
      throw new AssertionError(need + " was admitted as " + r);
    } catch (JobSpecException e) {
      return e;
    }
  }

  @Test
  void wholeGpusNeedAModelOfTheNodeAndCountItsComputeSlices() {
    assertThat(admit(new GpuNeed.WholeGpus(2), List.of(Catalog.H100_80GB, Catalog.A100_40GB)))
        .contains(new Requirement(Catalog.A100_40GB.memoryMiB(), 7, 2));
    assertThat(
            admit(
                new GpuNeed.WholeGpus(1, Optional.of("h100-80gb"), java.util.OptionalLong.empty()),
                List.of(Catalog.H100_80GB, Catalog.A100_40GB)))
        .contains(new Requirement(Catalog.H100_80GB.memoryMiB(), 7, 1));
    JobSpecException e =
        refused(
            new GpuNeed.WholeGpus(1, Optional.of("b200"), java.util.OptionalLong.empty()), A100);
    assertThat(e.field()).isEqualTo("gpus");
    assertThat(e.getMessage()).contains("models here: a100-40gb");
  }

  @Test
  void severalMigDevicesNeedWhatOneDoes() {
    assertThat(admit(new GpuNeed.MigDevices(profile("1g.5gb"), 3), A100))
        .contains(new Requirement(4864, 1, 3));
  }

  @Test
  void aJobWithoutGpuNeedsNothing() {
    assertThat(admit(GpuNeed.NONE, A100)).isEmpty();
    assertThat(admit(GpuNeed.NONE, List.of())).isEmpty();
  }

  // ---------------------------------------------------------------- profiles

  @ParameterizedTest
  @CsvSource({
    "a100-40gb, 1g.5gb, 4864, 1",
    "a100-40gb, 1g.5gb+me, 4864, 1",
    "a100-40gb, 1g.10gb, 9856, 1",
    "a100-40gb, 2g.10gb, 9856, 2",
    "a100-40gb, 3g.20gb, 19968, 3",
    "a100-40gb, 4g.20gb, 19968, 4",
    "a100-40gb, 7g.40gb, 40192, 7",
    "a30-24gb, 1g.6gb, 5952, 1",
    "a30-24gb, 2g.12gb, 11968, 2",
    "a30-24gb, 4g.24gb, 24000, 4",
    "h100-80gb, 3g.40gb, 40448, 3",
    "h100-80gb, 7g.80gb, 81152, 7",
  })
  void aProfileNeedsWhatTheProfileOffers(String model, String name, long mib, int compute) {
    assertThat(admit(profile(name), List.of(Catalog.require(model))))
        .contains(new Requirement(mib, compute));
  }

  static Stream<Arguments> everyProfileOfEveryModel() {
    return Catalog.models().stream()
        .flatMap(m -> m.profiles().stream().map(p -> Arguments.of(m, p)));
  }

  @ParameterizedTest
  @MethodSource("everyProfileOfEveryModel")
  void everyCatalogProfileIsAdmittedOnItsModel(GpuModel model, GpuInstanceProfile p) {
    assertThat(admit(new GpuNeed.Profile(p.name()), List.of(model)))
        .contains(new Requirement(p.memoryMiB(), p.computeSlices()));
  }

  @Test
  void aProfileKnownToSeveralModelsNeedsTheSmallestOfThem() {
    // 1g.10gb: 9856 MiB on A100-40GB, 9728 on A100-80GB, 9984 on H100-80GB.
    List<GpuModel> models = List.of(Catalog.H100_80GB, Catalog.A100_40GB, Catalog.A100_80GB);
    assertThat(admit(profile("1g.10gb"), models)).contains(new Requirement(9728, 1));
    assertThat(admit(profile("1g.10gb"), models.reversed())).contains(new Requirement(9728, 1));
    // 2g.20gb: 19968 MiB on A100-80GB, 20096 on H100-80GB.
    assertThat(admit(profile("2g.20gb"), List.of(Catalog.H100_80GB, Catalog.A100_80GB)))
        .contains(new Requirement(19968, 2));
    // Only the models that know the name count: A100-40GB has no 2g.20gb.
    assertThat(admit(profile("2g.20gb"), List.of(Catalog.A100_40GB, Catalog.H100_80GB)))
        .contains(new Requirement(20096, 2));
  }

  @Test
  void aProfileNeedIsMetByTheSmallestMatchingModelsDevice() {
    for (GpuModel m : Catalog.models()) {
      for (GpuInstanceProfile p : m.profiles()) {
        Requirement r = admit(new GpuNeed.Profile(p.name()), Catalog.models()).orElseThrow();
        long smallest =
            Catalog.models().stream()
                .flatMap(x -> x.profile(p.name()).stream())
                .min(Comparator.comparingLong(GpuInstanceProfile::memoryMiB))
                .orElseThrow()
                .memoryMiB();
        assertThat(r).as("%s", p.name()).isEqualTo(new Requirement(smallest, p.computeSlices()));
      }
    }
  }

  @ParameterizedTest
  @CsvSource({
    "1c.3g.20gb, 19968, 1",
    "2c.3g.20gb, 19968, 2",
    "1c.7g.40gb, 40192, 1",
    "4c.7g.40gb, 40192, 4",
    "1c.2g.10gb, 9856, 1",
    "3c.3g.20gb, 19968, 3"
  })
  void aComputeInstanceNeedsItsGpuInstancesMemoryAndItsOwnSlices(
      String name, long mib, int compute) {
    assertThat(admit(profile(name), A100)).contains(new Requirement(mib, compute));
  }

  @Test
  void aComputeInstanceOfAnUnknownGpuInstanceIsRefused() {
    JobSpecException e = refused(profile("1c.3g.40gb"), A100);
    assertThat(e.field()).isEqualTo("gpu");
    assertThat(e.getMessage()).contains("no GPU on this node offers profile 1c.3g.40gb");
  }

  @Test
  void anUnknownProfileIsRefusedListingTheNodesProfiles() {
    JobSpecException e = refused(profile("5g.30gb"), A100);
    assertThat(e.field()).isEqualTo("gpu");
    assertThat(e.getMessage())
        .isEqualTo(
            "gpu: no GPU on this node offers profile 5g.30gb; profiles here: 1g.5gb, 1g.5gb+me,"
                + " 1g.10gb, 2g.10gb, 3g.20gb, 4g.20gb, 7g.40gb");
  }

  @Test
  void aProfileOfAnotherModelIsRefused() {
    // 3g.20gb is an A100-40GB profile; an H100 node does not have it.
    JobSpecException e = refused(profile("3g.20gb"), List.of(Catalog.H100_80GB));
    assertThat(e.getMessage())
        .contains("offers profile 3g.20gb")
        .contains("profiles here: " + Catalog.H100_80GB.profileNamesText());
  }

  @Test
  void theListOfProfilesNamesEachOnceAcrossModels() {
    JobSpecException e = refused(profile("5g.30gb"), List.of(Catalog.A100_80GB, Catalog.H100_80GB));
    String list = e.getMessage().substring(e.getMessage().indexOf("profiles here: ") + 15);
    assertThat(list.split(", "))
        .containsExactly(
            "1g.10gb", "1g.10gb+me", "1g.20gb", "2g.20gb", "3g.40gb", "4g.40gb", "7g.80gb");
  }

  @Test
  void aProfileIsRefusedWhereTheAttributeDiffers() {
    JobSpecException e = refused(profile("3g.20gb+me"), A100);
    assertThat(e.getMessage()).contains("offers profile 3g.20gb+me");
  }

  @Test
  void aProfileIsRefusedOnANodeWithoutMigGpus() {
    JobSpecException e = refused(profile("1g.5gb"), List.of());
    assertThat(e.field()).isEqualTo("gpu");
    assertThat(e.getMessage())
        .isEqualTo(
            "gpu: no GPU on this node offers profile 1g.5gb; the node has no MIG-capable GPU");
  }

  // ---------------------------------------------------------------- memory

  @ParameterizedTest
  @CsvSource({
    "1, 1",
    "4864, 1",
    "8192, 1",
    "8192, 2",
    "19968, 4",
    "40192, 7",
  })
  void aMemoryNeedThatSomeProfileMeetsIsKeptAsAsked(long mib, int compute) {
    assertThat(admit(new GpuNeed.Memory(mib, compute), A100))
        .contains(new Requirement(mib, compute));
  }

  @Test
  void aMemoryNeedMayBeMetByAnyModelOfTheNode() {
    List<GpuModel> models = List.of(Catalog.A30_24GB, Catalog.A100_40GB);
    assertThat(admit(new GpuNeed.Memory(30000, 1), models)).contains(new Requirement(30000, 1));
    assertThat(admit(new GpuNeed.Memory(1000, 7), models)).contains(new Requirement(1000, 7));
  }

  @Test
  void tooMuchMemoryIsRefusedNamingTheLargestDevice() {
    JobSpecException e = refused(new GpuNeed.Memory(40193, 1), A100);
    assertThat(e.field()).isEqualTo("gpu");
    assertThat(e.getMessage())
        .isEqualTo(
            "gpu: needs 40193 MiB and 1 compute slice, more than any MIG device of this node can"
                + " offer; the largest is 7g.40gb (40192 MiB, 7 compute slices) on A100-SXM4-40GB;"
                + " ask for less memory or fewer compute slices");
  }

  @Test
  void tooManyComputeSlicesAreRefused() {
    JobSpecException e = refused(new GpuNeed.Memory(1024, 5), List.of(Catalog.A30_24GB));
    assertThat(e.field()).isEqualTo("gpu");
    assertThat(e.getMessage())
        .contains("needs 1024 MiB and 5 compute slices, more than any MIG device")
        .contains("the largest is 4g.24gb (24000 MiB, 4 compute slices) on A30");
  }

  @Test
  void theBoundsAreInclusive() {
    List<GpuModel> a30 = List.of(Catalog.A30_24GB);
    assertThat(admit(new GpuNeed.Memory(24000, 4), a30)).contains(new Requirement(24000, 4));
    assertThat(refused(new GpuNeed.Memory(24001, 4), a30).field()).isEqualTo("gpu");
    assertThat(refused(new GpuNeed.Memory(24000, 5), a30).field()).isEqualTo("gpu");
  }

  @Test
  void theLargestDeviceNamedIsTheLargestOfAllModels() {
    // The H100's 7g.80gb (81152 MiB) is the largest device of this node, whatever the order of
    // the models.
    for (List<GpuModel> models :
        List.of(
            List.of(Catalog.A100_40GB, Catalog.H100_80GB),
            List.of(Catalog.H100_80GB, Catalog.A100_40GB))) {
      JobSpecException e = refused(new GpuNeed.Memory(200 * 1024, 1), models);
      assertThat(e.getMessage())
          .as("models %s", models.stream().map(GpuModel::key).toList())
          .contains("the largest is 7g.80gb (81152 MiB, 7 compute slices) on H100 80GB HBM3");
    }
  }

  @Test
  void memoryIsRefusedOnANodeWithoutMigGpus() {
    JobSpecException e = refused(new GpuNeed.Memory(1024, 1), List.of());
    assertThat(e.field()).isEqualTo("gpu");
    assertThat(e.getMessage())
        .contains("more than any MIG device of this node can offer")
        .contains("the node has no MIG-capable GPU")
        .doesNotContain("ask for less memory");
  }
}
