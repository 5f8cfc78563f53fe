package io.migctl.daemon.store;

import static io.migctl.daemon.store.Fixtures.t;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.migctl.core.job.Job;
import io.migctl.core.job.JobQuery;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Database#inSharedTransaction} on a real SQLite file, from many threads at once. */
class SharedTransactionsIT {

  static final int THREADS = 8;
  static final int PER_THREAD = 40;

  @TempDir Path dir;

  @Test
  void concurrentInsertsAndAppendsAreAllStoredOnceWithTheirOwnIds() throws Exception {
    Path file = dir.resolve("migctl.db");
    List<Long> ids = new ArrayList<>();
    List<Long> seqs = new ArrayList<>();
    try (Database db = Database.open(file);
        ExecutorService pool = Executors.newFixedThreadPool(THREADS)) {
      SqliteJobStore store = new SqliteJobStore(db);
      AuditRecords audit = new AuditRecords(db);
      List<Future<long[]>> done = new ArrayList<>();
      for (int i = 0; i < THREADS * PER_THREAD; i++) {
        String name = "job-" + i;
        done.add(
            pool.submit(
                () -> {
                  long seq = audit.append(t(0), "operator", "submit", "tenant t", name).seq();
                  Job job = Fixtures.insertCpu(store, name, "t", t(1));
                  assertThat(store.find(job.id())).map(j -> j.spec().name()).contains(name);
                  return new long[] {job.id(), seq};
                }));
      }
      for (Future<long[]> f : done) {
        ids.add(f.get()[0]);
        seqs.add(f.get()[1]);
      }
    }
    assertThat(Set.copyOf(ids)).hasSize(THREADS * PER_THREAD);
    assertThat(Set.copyOf(seqs)).hasSize(THREADS * PER_THREAD);
    try (Database db = Database.open(file)) {
      List<Job> stored =
          new SqliteJobStore(db)
              .list(new JobQuery(Set.of(), Optional.empty(), Optional.empty(), JobQuery.MAX_LIMIT));
      assertThat(stored.stream().map(Job::id).collect(Collectors.toSet()))
          .isEqualTo(Set.copyOf(ids));
      for (Job j : stored) {
        assertThat(new SqliteJobStore(db).events(j.id())).hasSize(1);
      }
      assertThat(new AuditRecords(db).after(0, 10_000)).hasSize(THREADS * PER_THREAD);
    }
  }

  @Test
  void aFailingUnitAmongConcurrentOnesFailsAloneAndStoresNothing() throws Exception {
    try (Database db = Database.open(dir.resolve("migctl.db"));
        ExecutorService pool = Executors.newFixedThreadPool(THREADS)) {
      SqliteJobStore store = new SqliteJobStore(db);
      List<Future<String>> outcomes = new ArrayList<>();
      for (int i = 0; i < THREADS * PER_THREAD; i++) {
        int n = i;
        outcomes.add(
            pool.submit(
                () -> {
                  if (n % 10 != 3) {
                    return "stored " + Fixtures.insertCpu(store, "job-" + n, "t", t(1)).id();
                  }
                  try {
                    db.inSharedTransaction(
                        "bad insert " + n,
                        c -> {
                          // A row goes in, then a statement fails: neither may stay.
                          try (PreparedStatement s =
                              c.prepareStatement(
                                  "INSERT INTO audit_log (at, actor, action, target, detail)"
                                      + " VALUES ('x', 'a', 'b', 'c', 'bad')")) {
                            s.executeUpdate();
                          }
                          try (PreparedStatement s =
                              c.prepareStatement("INSERT INTO no_such_table VALUES (1)")) {
                            return s.executeUpdate();
                          }
                        });
                    return "bad one stored";
                  } catch (StoreException e) {
                    return "refused: " + e.getMessage();
                  }
                }));
      }
      int refused = 0;
      for (Future<String> f : outcomes) {
        String outcome = f.get();
        assertThat(outcome).doesNotContain("bad one stored");
        if (outcome.startsWith("refused: ")) {
          assertThat(outcome).contains("bad insert", "no_such_table");
          refused++;
        }
      }
      assertThat(refused).isEqualTo(THREADS * PER_THREAD / 10);
      assertThat(store.countByState().values().stream().mapToLong(Long::longValue).sum())
          .isEqualTo(THREADS * PER_THREAD - refused);
      assertThat(new AuditRecords(db).after(0, 10_000)).isEmpty();
    }
  }

  @Test
  void aSharedTransactionInsideAnotherJoinsIt() {
    try (Database db = Database.open(dir.resolve("migctl.db"))) {
      SqliteJobStore store = new SqliteJobStore(db);
      assertThatThrownBy(
              () ->
                  db.inTransaction(
                      "outer",
                      c -> {
                        Fixtures.insertCpu(store, "inner", "t", t(1));
                        throw new IllegalStateException("outer fails after the insert");
                      }))
          .hasMessage("outer fails after the insert");
      // The outer transaction was rolled back, with the insert that joined it.
      assertThat(store.countByState()).isEmpty();
    }
  }
}
