package io.migctl.core.mig;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The MIG value types refuse what no driver reports, at their boundaries, naming the value. */
class MigValuesTest {

  private static final Engines NONE = new Engines(0, 0, 0, 0, 0);

  private static GpuInstanceProfile profile(
      String name, int id, int computeSlices, int memorySlices, List<Placement> placements) {
    return profile(name, id, computeSlices, memorySlices, 4864, 1, 14, placements);
  }

  private static GpuInstanceProfile profile(
      String name,
      int id,
      int computeSlices,
      int memorySlices,
      long memoryMiB,
      int maxCount,
      int multiprocessors,
      List<Placement> placements) {
    return new GpuInstanceProfile(
        ProfileName.parse(name),
        id,
        computeSlices,
        memorySlices,
        memoryMiB,
        maxCount,
        multiprocessors,
        NONE,
        placements,
        Set.of());
  }

  private static GpuModel model(int computeSlices, int memorySlices, GpuInstanceProfile... ps) {
    return new GpuModel(
        "test",
        "TEST",
        "NVIDIA TEST",
        List.of(),
        Architecture.AMPERE,
        0x20B010DE,
        40960,
        computeSlices,
        memorySlices,
        List.of(ps),
        Set.of());
  }

  private static List<Placement> at(int start, int size) {
    return List.of(new Placement(start, size));
  }

  @Test
  void engineCountsMayBeZeroButNeverNegative() {
    assertThatCode(() -> new Engines(0, 0, 0, 0, 0)).doesNotThrowAnyException();
    int[][] negative = {
      {-1, 0, 0, 0, 0}, {0, -1, 0, 0, 0}, {0, 0, -1, 0, 0}, {0, 0, 0, -1, 0}, {0, 0, 0, 0, -1}
    };
    for (int[] n : negative) {
      assertThatThrownBy(() -> new Engines(n[0], n[1], n[2], n[3], n[4]))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(
              "engine counts are never negative: CE %d, DEC %d, ENC %d, JPEG %d, OFA %d",
              n[0], n[1], n[2], n[3], n[4]);
    }
  }

  @Test
  void aProfileAtItsSmallestAllowedValuesIsValid() {
    GpuInstanceProfile p = profile("1g.5gb", 0, 1, 1, 1, 1, 0, at(0, 1));

    assertThat(p.toString()).isEqualTo("1g.5gb (ID 0)");
    assertThat(p.allows(new Placement(0, 1))).isTrue();
    assertThat(p.allows(new Placement(1, 1))).isFalse();
  }

  @Test
  void aProfileRefusesWhatNoDriverReports() {
    assertThatThrownBy(() -> profile("1c.3g.20gb", 9, 3, 4, at(0, 4)))
        .hasMessage(
            "1c.3g.20gb names a compute instance; a GPU-instance profile is named <g>g.<gb>gb");
    assertThatThrownBy(() -> profile("3g.20gb", 9, 2, 4, at(0, 4)))
        .hasMessage("profile 3g.20gb has 2 compute slices but its name says 3");
    assertThatThrownBy(() -> profile("1g.5gb", -1, 1, 1, at(0, 1)))
        .hasMessage("profile id of 1g.5gb must not be negative, was -1");
    assertThatThrownBy(() -> profile("1g.5gb", 19, 1, 0, 4864, 1, 14, List.of()))
        .hasMessage(
            "profile 1g.5gb: memory slices, MiB and max count must be positive, were 0, 4864, 1");
    assertThatThrownBy(() -> profile("1g.5gb", 19, 1, 1, 0, 1, 14, at(0, 1)))
        .hasMessage(
            "profile 1g.5gb: memory slices, MiB and max count must be positive, were 1, 0, 1");
    assertThatThrownBy(() -> profile("1g.5gb", 19, 1, 1, 4864, 0, 14, at(0, 1)))
        .hasMessage(
            "profile 1g.5gb: memory slices, MiB and max count must be positive, were 1, 4864, 0");
    assertThatThrownBy(() -> profile("1g.5gb", 19, 1, 1, 4864, 1, -1, at(0, 1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> profile("1g.5gb", 19, 1, 1, List.of()))
        .hasMessage("profile 1g.5gb has no placement");
    assertThatThrownBy(
            () -> profile("2g.10gb", 14, 2, 2, List.of(new Placement(0, 2), new Placement(2, 1))))
        .hasMessage("profile 2g.10gb uses 2 memory slices but lists placement 2:1");
  }

  @Test
  void aModelAtItsBoundsIsValid() {
    assertThatCode(() -> model(1, 1, profile("1g.5gb", 0, 1, 1, at(0, 1))))
        .doesNotThrowAnyException();
    assertThatCode(
            () ->
                model(
                    7,
                    Placement.MAX_SLICES,
                    profile("7g.40gb", 0, 7, 8, at(Placement.MAX_SLICES - 8, 8))))
        .doesNotThrowAnyException();
  }

  @Test
  void aModelRefusesSlicesOutOfRange() {
    assertThatThrownBy(() -> model(7, 0))
        .hasMessage("model TEST: slices out of range (memory 0, compute 7)");
    assertThatThrownBy(() -> model(7, Placement.MAX_SLICES + 1))
        .hasMessage("model TEST: slices out of range (memory 33, compute 7)");
    assertThatThrownBy(() -> model(0, 8))
        .hasMessage("model TEST: slices out of range (memory 8, compute 0)");
  }

  @Test
  void aModelRefusesAProfileThatDoesNotFitIt() {
    assertThatThrownBy(() -> model(7, 8, profile("2g.10gb", 14, 2, 2, at(7, 2))))
        .hasMessage("model TEST: placement 7:2 of 2g.10gb lies beyond its 8 memory slices");
    assertThatThrownBy(() -> model(2, 8, profile("3g.20gb", 9, 3, 4, at(0, 4))))
        .hasMessage("model TEST: profile 3g.20gb needs more than its 2 compute slices");
    assertThatThrownBy(
            () ->
                model(
                    7,
                    8,
                    profile("1g.5gb", 19, 1, 1, at(0, 1)),
                    profile("2g.10gb", 19, 2, 2, at(0, 2))))
        .hasMessage("model TEST: profile id 19 is used twice");
  }

  @Test
  void aModelFindsItsProfilesByIdAndByName() {
    GpuModel a100 = Catalog.A100_40GB;

    assertThat(a100.profile(9)).map(p -> p.name().toString()).contains("3g.20gb");
    assertThat(a100.profile(99)).isEmpty();
    assertThat(a100.profile(ProfileName.parse("1c.3g.20gb")))
        .map(p -> p.name().toString())
        .contains("3g.20gb");
  }

  @Test
  void driverOperationsAreNamedWithTheirPlacementWhenGiven() {
    assertThat(DriverOperation.createGpuInstance(0, 9, Optional.of(new Placement(4, 4))))
        .isEqualTo("create GPU instance with profile 9 at 4:4 on GPU 0");
    assertThat(DriverOperation.createGpuInstance(1, 19, Optional.empty()))
        .isEqualTo("create GPU instance with profile 19 on GPU 1");
    assertThat(DriverOperation.createComputeInstance(0, 2, 1, Optional.of(new Placement(2, 1))))
        .isEqualTo("create compute instance with profile 1 at 2:1 in GPU instance 2 on GPU 0");
    assertThat(DriverOperation.createComputeInstance(3, 5, 0, Optional.empty()))
        .isEqualTo("create compute instance with profile 0 in GPU instance 5 on GPU 3");
  }

  @Test
  void aDriverErrorSaysWhatFailedAndWhy() {
    MigDriverException bare = new MigDriverException(DriverError.IN_USE, "reset GPU 0");
    MigDriverException detailed =
        new MigDriverException(DriverError.IN_USE, "reset GPU 0", "processes hold its MIG devices");

    assertThat(bare.error()).isEqualTo(DriverError.IN_USE);
    assertThat(bare.reason()).isEqualTo(DriverError.IN_USE.text()).isNotEmpty();
    assertThat(bare.getMessage()).isEqualTo("reset GPU 0: " + DriverError.IN_USE.text());
    assertThat(detailed.reason())
        .isEqualTo(DriverError.IN_USE.text() + " (processes hold its MIG devices)");
    assertThat(detailed.getMessage())
        .isEqualTo(
            "reset GPU 0: " + DriverError.IN_USE.text() + " (processes hold its MIG devices)");
  }
}
