package io.migctl.daemon.store;

import static io.migctl.daemon.store.Fixtures.t;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecordsIT {

  @TempDir Path dir;

  private Database db;

  @BeforeEach
  void open() {
    db = Database.open(dir.resolve("migctl.db"));
  }

  @AfterEach
  void close() {
    db.close();
  }

  @Test
  void buildsAreUpsertedByIdAndListedById() {
    BuildRecords builds = new BuildRecords(db);
    builds.record("bbb", "torch", "conda", "/envs/bbb", t(0));
    builds.record("aaa", "jax", "venv", "/envs/aaa", t(1));
    builds.record("bbb", "torch2", "mamba", "/envs2/bbb", t(2));

    assertThat(builds.list())
        .containsExactly(
            new BuildRecords.BuildRecord("aaa", "jax", "venv", "/envs/aaa", t(1)),
            new BuildRecords.BuildRecord("bbb", "torch2", "mamba", "/envs2/bbb", t(2)));
    assertThat(builds.find("aaa")).map(BuildRecords.BuildRecord::backend).contains("venv");
    assertThat(builds.find("zzz")).isEmpty();
    assertThat(builds.remove("aaa")).isTrue();
    assertThat(builds.remove("aaa")).isFalse();
    assertThat(builds.list()).extracting(BuildRecords.BuildRecord::id).containsExactly("bbb");
  }

  @Test
  void layoutsAreAppendedAndReadNewestFirst() {
    LayoutRecords layouts = new LayoutRecords(db);
    long first = layouts.append(t(0), "a.yaml", "all-1g", "{\"n\":1}", "applied");
    long second = layouts.append(t(1), "api", "all-7g", "{\"n\":2}", "failed");
    long third = layouts.append(t(2), "b.yaml", "mixed", "{\"n\":3}", "applied");
    assertThat(first).isLessThan(second);
    assertThat(second).isLessThan(third);

    assertThat(layouts.recent(2))
        .containsExactly(
            new LayoutRecords.LayoutRecord(third, t(2), "b.yaml", "mixed", "{\"n\":3}", "applied"),
            new LayoutRecords.LayoutRecord(second, t(1), "api", "all-7g", "{\"n\":2}", "failed"));
    assertThat(layouts.recent(10))
        .extracting(LayoutRecords.LayoutRecord::seq)
        .containsExactly(third, second, first);
  }

  @Test
  void tokensMatchOnlyThemselves() {
    TokenRecords tokens = new TokenRecords(db);
    assertThat(tokens.isEmpty()).isTrue();
    assertThat(tokens.matches("anything")).isFalse();
    long id = tokens.add("tok-one-4f8a", "laptop", t(0));
    tokens.add("tok-two-9c1e", "ci", t(1));

    assertThat(tokens.isEmpty()).isFalse();
    assertThat(tokens.matches("tok-one-4f8a")).isTrue();
    assertThat(tokens.matches("tok-two-9c1e")).isTrue();
    assertThat(tokens.matches("tok-one-4f8")).isFalse();
    assertThat(tokens.matches("TOK-ONE-4F8A")).isFalse();
    assertThat(tokens.matches("")).isFalse();
    assertThat(tokens.matches(null)).isFalse();
    assertThat(tokens.list())
        .containsExactly(
            new TokenRecords.TokenRecord(id, t(0), "laptop", Optional.empty()),
            new TokenRecords.TokenRecord(id + 1, t(1), "ci", Optional.empty()));
    assertThatThrownBy(() -> tokens.add("tok-one-4f8a", "again", t(2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("already stored");
    assertThatThrownBy(() -> tokens.add("  ", "blank", t(2)))
        .isInstanceOf(IllegalArgumentException.class);

    assertThat(tokens.remove(id)).isTrue();
    assertThat(tokens.matches("tok-one-4f8a")).isFalse();
    assertThat(tokens.matches("tok-two-9c1e")).isTrue();
  }

  @Test
  void tokensAreStoredOnlyAsTheirSha256() throws Exception {
    String token = "plaintext-token-d41d8cd98f00b204";
    new TokenRecords(db).add(token, "desc", t(0));

    List<String> cells = new ArrayList<>();
    db.read(
        "dump tokens",
        c -> {
          try (Statement s = c.createStatement();
              ResultSet rs = s.executeQuery("SELECT * FROM tokens")) {
            ResultSetMetaData md = rs.getMetaData();
            while (rs.next()) {
              for (int i = 1; i <= md.getColumnCount(); i++) {
                cells.add(String.valueOf(rs.getObject(i)));
              }
            }
          }
          return null;
        });
    assertThat(cells).noneMatch(cell -> cell.contains(token));
    // SHA-256("plaintext-token-d41d8cd98f00b204"), computed independently (sha256sum).
    assertThat(cells).contains("2ff69a5f404c81989151301042b80ee9297abbcfff625133fba1e31a08528e91");

    db.close();
    for (Path f : List.of(dir.resolve("migctl.db"), dir.resolve("migctl.db-wal"))) {
      if (Files.exists(f)) {
        String bytes = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
        assertThat(bytes).doesNotContain(token);
      }
    }
  }
}
