package io.migctl.core.mig;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.ToLongFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The catalog must say what the reference catalog says: {@code
 * <migctl.shared.dir>/reference/mig/mig-profiles.json}. Where the reference has no value (null or
 * absent) the catalog holds an estimate, which it must mark unverified.
 */
class CatalogReferenceTest {

  /**
   * Catalog model to the start of its reference entry's {@code model} field. Other boards of a
   * family share the family's entry, which names their PCI ids. The RTX PRO 6000 has no entry (the
   * reference lists it out of scope): {@code ProfilesTableCliTest} checks it against the published
   * names, ids and counts.
   */
  private static final Map<GpuModel, String> REFERENCE_PREFIX =
      Map.ofEntries(
          Map.entry(Catalog.A100_40GB, "A100-SXM4-40GB"),
          Map.entry(CatalogBoards.A100_40GB_PCIE, "A100-SXM4-40GB"),
          Map.entry(CatalogBoards.A100_40GB_20B1, "A100-SXM4-40GB"),
          Map.entry(CatalogBoards.A800_40GB, "A100-SXM4-40GB"),
          Map.entry(Catalog.A100_80GB, "A100-80GB (SXM4 and PCIe)"),
          Map.entry(CatalogBoards.A100_80GB_PCIE, "A100-80GB (SXM4 and PCIe)"),
          Map.entry(CatalogBoards.A800_80GB, "A100-80GB (SXM4 and PCIe)"),
          Map.entry(CatalogBoards.A800_80GB_PCIE, "A100-80GB (SXM4 and PCIe)"),
          Map.entry(Catalog.A30_24GB, "A30-24GB"),
          Map.entry(Catalog.H100_80GB, "H100-80GB (SXM5"),
          Map.entry(CatalogBoards.H100_80GB_PCIE, "H100-80GB (SXM5"),
          Map.entry(CatalogBoards.H800_80GB, "H100-80GB (SXM5"),
          Map.entry(CatalogBoards.H800_80GB_PCIE, "H100-80GB (SXM5"),
          Map.entry(Catalog.H100_94GB, "H100-NVL-94GB"),
          Map.entry(CatalogBoards.H800_94GB, "H100-NVL-94GB"),
          Map.entry(CatalogBoards.H100_96GB, "H100-96GB"),
          Map.entry(CatalogBoards.GH200_96GB, "H100-96GB"),
          Map.entry(CatalogBoards.H20_96GB, "H100-96GB"),
          Map.entry(CatalogBoards.PG506_96GB, "H100-96GB"),
          Map.entry(Catalog.H200_141GB, "H200-141GB"),
          Map.entry(CatalogBoards.H200_141GB_NVL, "H200-141GB"),
          Map.entry(Catalog.GH200_144GB, "GH200-144G-HBM3e"),
          Map.entry(Catalog.B200_180GB, "B200-180GB"),
          Map.entry(Catalog.GB200_186GB, "GB200-186GB"));

  /** The catalog's models without a reference entry. */
  private static final List<GpuModel> WITHOUT_REFERENCE =
      List.of(CatalogRtxPro.SERVER, CatalogRtxPro.WORKSTATION, CatalogRtxPro.MAX_Q);

  private static final Pattern PCI_ID = Pattern.compile("0x([0-9A-Fa-f]{4})");

  /** The reference's group word for every engine field. */
  private static final List<String> ENGINE_FIELDS =
      List.of("copyEngines", "decoders", "encoders", "jpeg", "ofa");

  private static JsonNode reference;

  @BeforeAll
  static void loadReference() throws IOException {
    String shared = System.getProperty("migctl.shared.dir");
    assertThat(shared).as("system property migctl.shared.dir (surefire sets it)").isNotBlank();
    Path file = Path.of(shared, "reference", "mig", "mig-profiles.json");
    assertThat(file).as("the reference catalog").isRegularFile();
    reference = new ObjectMapper().readTree(Files.readString(file));
  }

  static Stream<Arguments> models() {
    return Catalog.models().stream()
        .filter(REFERENCE_PREFIX::containsKey)
        .map(m -> argumentSet(m.key(), m));
  }

  @Test
  void everyCatalogModelHasAReferenceEntry() {
    List<GpuModel> expected = new ArrayList<>(REFERENCE_PREFIX.keySet());
    expected.addAll(WITHOUT_REFERENCE);
    assertThat(Catalog.models()).hasSize(27).containsExactlyInAnyOrderElementsOf(expected);
  }

  @ParameterizedTest
  @MethodSource("models")
  void modelMatchesReference(GpuModel model) {
    JsonNode ref = referenceOf(model);
    SoftAssertions softly = new SoftAssertions();
    softly
        .assertThat(pciIdsOf(ref))
        .as("the PCI ids of the reference entry")
        .contains(model.pciDeviceIdText().substring(2, 6));
    softly
        .assertThat(model.computeSlices())
        .as("computeSlices")
        .isEqualTo(ref.get("computeSlices").asInt());
    softly
        .assertThat(model.memorySlices())
        .as("memorySlices")
        .isEqualTo(ref.get("memorySlices").asInt());
    if (hasValue(ref, "memoryMiB")) {
      softly.assertThat(model.memoryMiB()).as("memoryMiB").isEqualTo(ref.get("memoryMiB").asLong());
    } else {
      softly
          .assertThat(model.unverified())
          .as("unverified (memoryMiB is null)")
          .contains("memoryMiB");
    }
    Set<String> modelFields =
        Set.of("name", "pciDeviceId", "memoryMiB", "computeSlices", "memorySlices");
    for (String field : textsOf(ref.get("unverifiedFields"))) {
      if (modelFields.contains(field)) {
        softly.assertThat(model.unverified()).as("unverified").contains(field);
      }
    }
    softly.assertAll();
  }

  @ParameterizedTest
  @MethodSource("models")
  void sameProfileNamesInTheSameOrder(GpuModel model) {
    List<String> expected = new ArrayList<>();
    referenceOf(model).get("profiles").forEach(p -> expected.add(p.get("name").asText()));
    assertThat(model.profiles())
        .extracting(p -> p.name().toString())
        .containsExactlyElementsOf(expected);
  }

  @ParameterizedTest
  @MethodSource("models")
  void profilesMatchReference(GpuModel model) {
    SoftAssertions softly = new SoftAssertions();
    for (JsonNode ref : referenceOf(model).get("profiles")) {
      String name = ref.get("name").asText();
      GpuInstanceProfile p = model.profile(ProfileName.parse(name)).orElse(null);
      softly.assertThat(p).as(name).isNotNull();
      if (p == null) {
        continue;
      }
      softly.assertThat(p.id()).as(name + " id").isEqualTo(ref.get("id").asInt());
      softly
          .assertThat(p.computeSlices())
          .as(name + " computeSlices")
          .isEqualTo(ref.get("computeSlices").asInt());
      softly
          .assertThat(p.memorySlices())
          .as(name + " memorySlices")
          .isEqualTo(ref.get("memorySlices").asInt());
      softly.assertThat(p.maxCount()).as(name + " maxCount").isEqualTo(ref.get("maxCount").asInt());
      softly
          .assertThat(p.placements())
          .as(name + " placements")
          .containsExactlyElementsOf(placementsOf(ref));
      Map<String, ToLongFunction<GpuInstanceProfile>> optional =
          Map.of(
              "memoryMiB", GpuInstanceProfile::memoryMiB,
              "multiprocessors", GpuInstanceProfile::multiprocessors,
              "copyEngines", q -> q.engines().copy(),
              "decoders", q -> q.engines().decoders(),
              "encoders", q -> q.engines().encoders(),
              "jpeg", q -> q.engines().jpeg(),
              "ofa", q -> q.engines().ofa());
      optional.forEach(
          (field, value) -> {
            if (hasValue(ref, field)) {
              softly
                  .assertThat(value.applyAsLong(p))
                  .as(name + " " + field)
                  .isEqualTo(ref.get(field).asLong());
            } else {
              softly
                  .assertThat(p.unverified())
                  .as(name + " unverified (" + field + " is null)")
                  .contains(field);
            }
          });
    }
    softly.assertAll();
  }

  @ParameterizedTest
  @MethodSource("models")
  void unverifiedFieldsAreMarked(GpuModel model) {
    SoftAssertions softly = new SoftAssertions();
    for (JsonNode ref : referenceOf(model).get("profiles")) {
      String name = ref.get("name").asText();
      GpuInstanceProfile p = model.profile(ProfileName.parse(name)).orElseThrow();
      for (String field : textsOf(ref.get("unverifiedFields"))) {
        List<String> fields = field.equals("engines") ? ENGINE_FIELDS : List.of(field);
        softly.assertThat(p.unverified()).as(name + " unverified").containsAll(fields);
      }
      ref.properties()
          .forEach(
              e -> {
                if (e.getValue().isNull()) {
                  softly
                      .assertThat(p.unverified())
                      .as(name + " unverified (null)")
                      .contains(e.getKey());
                }
              });
    }
    softly.assertAll();
  }

  private static JsonNode referenceOf(GpuModel model) {
    String prefix = REFERENCE_PREFIX.get(model);
    assertThat(prefix).as("reference prefix of %s", model.key()).isNotNull();
    List<JsonNode> matches = new ArrayList<>();
    reference
        .get("models")
        .forEach(
            m -> {
              if (m.get("model").asText().startsWith(prefix)) {
                matches.add(m);
              }
            });
    assertThat(matches).as("reference models starting with \"%s\"", prefix).hasSize(1);
    return matches.getFirst();
  }

  /**
   * Every PCI device id (4 hex digits, upper case) the entry names: its own, its alternates and the
   * boards it also applies to ({@code 0x20F6} in "A800-40GB (0x20F6 per mig-parted)").
   */
  private static Set<String> pciIdsOf(JsonNode ref) {
    List<String> texts = new ArrayList<>(List.of(ref.get("pciDeviceId").asText()));
    texts.addAll(textsOf(ref.get("pciDeviceIdAlternates")));
    texts.addAll(textsOf(ref.get("alsoAppliesTo")));
    Set<String> ids = new TreeSet<>();
    for (String text : texts) {
      Matcher m = PCI_ID.matcher(text);
      while (m.find()) {
        ids.add(m.group(1).toUpperCase(Locale.ROOT));
      }
    }
    return ids;
  }

  private static List<Placement> placementsOf(JsonNode profile) {
    List<Placement> out = new ArrayList<>();
    profile
        .get("placements")
        .forEach(p -> out.add(new Placement(p.get("start").asInt(), p.get("size").asInt())));
    return out;
  }

  private static boolean hasValue(JsonNode node, String field) {
    return node.hasNonNull(field);
  }

  private static List<String> textsOf(JsonNode array) {
    List<String> out = new ArrayList<>();
    if (array != null) {
      array.forEach(n -> out.add(n.asText()));
    }
    return out;
  }
}
