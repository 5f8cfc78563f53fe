package io.migctl.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine.ExitCode;

/**
 * {@code migctl --simulate MODEL profiles --json} for every board added for issue 18 equals the
 * table NVIDIA publishes for its family, written here as in {@code
 * shared/reference/mig/mig-profiles.md}: the MIG user guide's tables and the {@code -lgip}/{@code
 * -lgipp} rows seen on real GPUs; for the RTX PRO 6000, the names, ids and counts of mig-parted's
 * default config and GKE's partitioner and the three {@code -lgip} rows seen on a Server Edition.
 *
 * <p>A row is {@code name|id|compute/memory slices|max count|placement starts|MiB|SMs|CE DEC ENC
 * JPEG OFA}. A {@code ?} stands for a value no published table gives: the output must then list
 * that field as unverified. Starts ending in {@code ?} are the family's geometry, expected as
 * written but unverified, since no {@code -lgipp} print of the family was found.
 */
class ProfilesTableCliTest {

  private static final List<String> A100_40GB =
      List.of(
          "1g.5gb|19|1/1|7|0,1,2,3,4,5,6|4864|14|1 0 0 0 0",
          "1g.5gb+me|20|1/1|1|0,1,2,3,4,5,6|4864|14|1 1 0 1 1",
          "1g.10gb|15|1/2|4|0,2,4,6|9856|14|1 1 0 0 0",
          "2g.10gb|14|2/2|3|0,2,4|9856|28|2 1 0 0 0",
          "3g.20gb|9|3/4|2|0,4|19968|42|3 2 0 0 0",
          "4g.20gb|5|4/4|1|0|19968|56|4 2 0 0 0",
          "7g.40gb|0|7/8|1|0|40192|98|7 5 0 1 1");

  private static final List<String> A100_80GB =
      List.of(
          "1g.10gb|19|1/1|7|0,1,2,3,4,5,6?|9728|14|1 0 0 0 0",
          "1g.10gb+me|20|1/1|1|0,1,2,3,4,5,6?|?|14|1 1 0 1 1",
          "1g.20gb|15|1/2|4|0,2,4,6?|?|14|1 1 0 0 0",
          "2g.20gb|14|2/2|3|0,2,4?|?|28|2 1 0 0 0",
          "3g.40gb|9|3/4|2|0,4?|40192|42|3 2 0 0 0",
          "4g.40gb|5|4/4|1|0?|?|56|4 2 0 0 0",
          "7g.80gb|0|7/8|1|0?|?|98|7 5 0 1 1");

  private static final List<String> H100_80GB =
      List.of(
          "1g.10gb|19|1/1|7|0,1,2,3,4,5,6|9984|16|1 1 0 1 0",
          "1g.10gb+me|20|1/1|1|0,1,2,3,4,5,6|?|16|1 1 0 1 1",
          "1g.20gb|15|1/2|4|0,2,4,6|?|26|1 1 0 1 0",
          "2g.20gb|14|2/2|3|0,2,4|20096|32|2 2 0 2 0",
          "3g.40gb|9|3/4|2|0,4|40448|60|3 3 0 3 0",
          "4g.40gb|5|4/4|1|0|?|64|4 4 0 4 0",
          "7g.80gb|0|7/8|1|0|?|132|8 7 0 7 1");

  private static final List<String> H100_94GB =
      List.of(
          "1g.12gb|19|1/1|7|0,1,2,3,4,5,6|11008|16|1 1 0 1 0",
          "1g.12gb+me|20|1/1|1|0,1,2,3,4,5,6|?|16|1 1 0 1 1",
          "1g.24gb|15|1/2|4|0,2,4,6|22144|26|1 1 0 1 0",
          "2g.24gb|14|2/2|3|0,2,4|?|32|2 2 0 2 0",
          "3g.47gb|9|3/4|2|0,4|47488|60|3 3 0 3 0",
          "4g.47gb|5|4/4|1|0|?|64|4 4 0 4 0",
          "7g.94gb|0|7/8|1|0|?|132|8 7 0 7 1");

  private static final List<String> H100_96GB =
      List.of(
          "1g.12gb|?|1/1|7|0,1,2,3,4,5,6?|?|?|1 1 ? 1 0",
          "1g.12gb+me|?|1/1|1|0,1,2,3,4,5,6?|?|?|1 1 ? 1 1",
          "1g.24gb|?|1/2|4|0,2,4,6?|?|?|1 1 ? 1 0",
          "2g.24gb|?|2/2|3|0,2,4?|?|?|2 2 ? 2 0",
          "3g.48gb|?|3/4|2|0,4?|?|?|3 3 ? 3 0",
          "4g.48gb|?|4/4|1|0?|?|?|4 4 ? 4 0",
          "7g.96gb|?|7/8|1|0?|?|?|8 7 ? 7 1");

  private static final List<String> H200_141GB =
      List.of(
          "1g.18gb|19|1/1|7|0,1,2,3,4,5,6?|?|16|1 1 0 1 0",
          "1g.18gb+me|20|1/1|1|0,1,2,3,4,5,6?|?|16|1 1 0 1 1",
          "1g.35gb|15|1/2|4|0,2,4,6?|?|26|1 1 0 1 0",
          "2g.35gb|14|2/2|3|0,2,4?|?|32|2 2 0 2 0",
          "3g.71gb|9|3/4|2|0,4?|?|60|3 3 0 3 0",
          "4g.71gb|5|4/4|1|0?|?|64|4 4 0 4 0",
          "7g.141gb|0|7/8|1|0?|?|132|8 7 0 7 1");

  private static final List<String> RTX_PRO_6000 =
      List.of(
          "1g.24gb|14|1/1|4|0,1,2,3?|?|46|1 1 1 1 0",
          "1g.24gb+me|21|1/1|1|0,1,2,3?|?|46|1 1 1 1 1",
          "1g.24gb+gfx|47|1/1|4|0,1,2,3?|?|46|1 1 1 1 0",
          "1g.24gb+me.all|65|1/1|1|0,1,2,3?|?|46|? 4 ? ? ?",
          "1g.24gb-me|67|1/1|4|0,1,2,3?|?|?|? ? ? ? ?",
          "2g.48gb|5|2/2|2|0,2?|?|?|? ? ? ? ?",
          "2g.48gb+gfx|35|2/2|2|0,2?|?|?|? ? ? ? ?",
          "2g.48gb+me.all|64|2/2|1|0,2?|?|?|? ? ? ? ?",
          "2g.48gb-me|66|2/2|2|0,2?|?|?|? ? ? ? ?",
          "4g.96gb|0|4/4|1|0?|?|?|? ? ? ? ?",
          "4g.96gb+gfx|32|4/4|1|0?|?|?|? ? ? ? ?");

  /** Column 6 (SMs) for boards with fewer SMs than the board the table was printed on. */
  private static final Set<String> FEWER_SMS = Set.of("multiprocessors");

  private static final String[] ENGINES = {"copy", "decoders", "encoders", "jpeg", "ofa"};

  private static final String[] ENGINE_FIELDS = {
    "copyEngines", "decoders", "encoders", "jpeg", "ofa"
  };

  @TempDir Path home;

  static Stream<Arguments> boards() {
    return Stream.of(
        board("a100-40gb-pcie", "A100-PCIE-40GB", A100_40GB, Set.of()),
        board("a100-40gb-20b1", "A100-PCIE-40GB", A100_40GB, Set.of()),
        board("a800-40gb", "A800-40GB", A100_40GB, Set.of()),
        board("a100-80gb-pcie", "A100 80GB PCIe", A100_80GB, Set.of()),
        board("a800-80gb", "A800-SXM4-80GB", A100_80GB, Set.of()),
        board("a800-80gb-pcie", "A800 80GB PCIe", A100_80GB, Set.of()),
        board("h100-80gb-pcie", "H100 PCIe", H100_80GB, FEWER_SMS),
        board("h800-80gb", "H800", H100_80GB, Set.of()),
        board("h800-80gb-pcie", "H800 PCIe", H100_80GB, FEWER_SMS),
        board("h800-94gb", "H800 NVL", H100_94GB, Set.of()),
        board("h200-141gb-nvl", "H200 NVL", H200_141GB, FEWER_SMS),
        board("h100-96gb", "H100 96GB", H100_96GB, Set.of()),
        board("gh200-96gb", "GH200 480GB", H100_96GB, Set.of()),
        board("h20-96gb", "H20", H100_96GB, Set.of()),
        board("pg506-96gb", "PG506-96GB", H100_96GB, Set.of()),
        board("rtx-pro-6000", "RTX PRO 6000 Blackwell Server Edition", RTX_PRO_6000, Set.of()),
        board(
            "rtx-pro-6000-ws",
            "RTX PRO 6000 Blackwell Workstation Edition",
            RTX_PRO_6000,
            Set.of()),
        board(
            "rtx-pro-6000-maxq",
            "RTX PRO 6000 Blackwell Max-Q Workstation Edition",
            RTX_PRO_6000,
            Set.of()));
  }

  private static Arguments board(String key, String name, List<String> table, Set<String> open) {
    return argumentSet(key, key, name, table, open);
  }

  @ParameterizedTest
  @MethodSource("boards")
  void profilesEqualThePublishedTable(
      String key, String name, List<String> table, Set<String> open) {
    Invocations.Result r =
        new Invocations(
                home,
                Map.of(
                    "MIGCTL_SIMULATE",
                    key + ":1",
                    "MIGCTL_NVML_LIBRARY",
                    home.resolve("no-nvml/libnvidia-ml.so.1").toString()))
            .run("profiles", "--json");

    assertThat(r.code()).as(r.err()).isEqualTo(ExitCode.OK);
    JsonNode gpu = r.json().get(0);
    assertThat(gpu.get("model").asText()).isEqualTo(name);
    List<JsonNode> profiles = new ArrayList<>();
    gpu.get("profiles").forEach(profiles::add);
    assertThat(profiles).hasSameSizeAs(table);
    SoftAssertions softly = new SoftAssertions();
    for (int i = 0; i < table.size(); i++) {
      String[] row = table.get(i).split("\\|");
      JsonNode json = profiles.get(i);
      String what = key + " " + row[0];
      List<String> unverified = new ArrayList<>();
      json.get("unverified").forEach(u -> unverified.add(u.asText()));
      Cell.of(row[0]).expect(softly, what + " name", json.get("name").asText(), "name", unverified);
      Cell.of(row[1]).expect(softly, what + " id", json.get("id").asText(), "id", unverified);
      String[] slices = row[2].split("/");
      softly.assertThat(json.get("computeSlices").asText()).as(what).isEqualTo(slices[0]);
      softly.assertThat(json.get("memorySlices").asText()).as(what).isEqualTo(slices[1]);
      Cell.of(row[3])
          .expect(softly, what + " max", json.get("maxCount").asText(), "maxCount", unverified);
      Cell.of(row[4]).expect(softly, what + " starts", startsOf(json), "placements", unverified);
      Cell.of(row[5])
          .expect(softly, what + " MiB", json.get("memoryMiB").asText(), "memoryMiB", unverified);
      Cell sms = open.contains("multiprocessors") ? Cell.of("?") : Cell.of(row[6]);
      sms.expect(
          softly,
          what + " SMs",
          json.get("multiprocessors").asText(),
          "multiprocessors",
          unverified);
      String[] engines = row[7].split(" ");
      for (int e = 0; e < ENGINES.length; e++) {
        Cell.of(engines[e])
            .expect(
                softly,
                what + " " + ENGINES[e],
                json.get("engines").get(ENGINES[e]).asText(),
                ENGINE_FIELDS[e],
                unverified);
      }
    }
    softly.assertAll();
  }

  private static String startsOf(JsonNode profile) {
    List<String> starts = new ArrayList<>();
    profile.get("placements").forEach(p -> starts.add(p.get("start").asText()));
    return String.join(",", starts);
  }

  /**
   * One cell of a published row: a value that must be printed and not marked unverified, a value
   * that must be printed and marked ({@code 0,4?}), or none at all ({@code ?}), which must be
   * marked.
   */
  private record Cell(String value, boolean verified) {

    static Cell of(String text) {
      boolean open = text.endsWith("?");
      return new Cell(open ? text.substring(0, text.length() - 1) : text, !open);
    }

    void expect(
        SoftAssertions softly, String what, String actual, String field, List<String> unverified) {
      if (!value.isEmpty()) {
        softly.assertThat(actual).as(what).isEqualTo(value);
      }
      if (verified) {
        softly.assertThat(unverified).as(what + " is published").doesNotContain(field);
      } else {
        softly.assertThat(unverified).as(what + " is not published").contains(field);
      }
    }
  }
}
