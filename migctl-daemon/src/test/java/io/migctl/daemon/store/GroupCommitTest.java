package io.migctl.daemon.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link GroupCommit} on in-memory transactions: a transaction's context is the list it stages. */
class GroupCommitTest {

  /**
   * Transactions that stage what units add and append it to {@link #committed} as one entry when
   * the body returns (unless the commit is made to fail); a body that throws stores nothing. The
   * first transaction can be held open until the test lets it go.
   */
  static final class InMemoryTransactions implements GroupCommit.Transactions<List<String>> {
    final List<List<String>> committed = Collections.synchronizedList(new ArrayList<>());
    final CountDownLatch firstStarted = new CountDownLatch(1);
    final CountDownLatch releaseFirst;
    volatile boolean failNextSharedCommit;
    private boolean first = true;

    InMemoryTransactions(boolean holdFirst) {
      releaseFirst = new CountDownLatch(holdFirst ? 1 : 0);
    }

    @Override
    public void inTransaction(String what, GroupCommit.Work<List<String>, ?> body) {
      List<String> staged = new ArrayList<>();
      try {
        body.apply(staged);
      } catch (java.sql.SQLException e) {
        throw new StoreException(what + " failed: " + e.getMessage(), e);
      }
      boolean isFirst;
      synchronized (this) {
        isFirst = first;
        first = false;
      }
      if (isFirst) {
        firstStarted.countDown();
        try {
          releaseFirst.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        }
      }
      if (staged.size() > 1 && failNextSharedCommit) {
        failNextSharedCommit = false;
        throw new StoreException("commit of " + what + " failed: disk I/O error");
      }
      committed.add(List.copyOf(staged));
    }

    List<String> all() {
      synchronized (committed) {
        return committed.stream().flatMap(List::stream).toList();
      }
    }
  }

  private final ExecutorService threads = Executors.newCachedThreadPool();

  @AfterEach
  void stop() {
    threads.shutdownNow();
  }

  private static GroupCommit.Work<List<String>, String> adds(String name) {
    return c -> {
      c.add(name);
      return name;
    };
  }

  /** Runs {@code name}'s unit on another thread; its result is checked to be committed already. */
  private Future<String> submit(
      GroupCommit<List<String>> groups, InMemoryTransactions tx, String name) {
    return threads.submit(
        () -> {
          String r = groups.run("add " + name, adds(name));
          assertThat(tx.all()).as("committed when " + name + " returns").contains(name);
          return r;
        });
  }

  /** Starts a unit whose commit stays open until the test releases it. */
  private Future<String> heldLeader(GroupCommit<List<String>> groups, InMemoryTransactions tx)
      throws InterruptedException {
    Future<String> leader = submit(groups, tx, "lead");
    tx.firstStarted.await();
    return leader;
  }

  private static void awaitQueued(GroupCommit<?> groups, int n) {
    while (groups.queued() < n) {
      Thread.onSpinWait();
    }
  }

  @Test
  void aLoneUnitCommitsAloneAtOnce() {
    InMemoryTransactions tx = new InMemoryTransactions(false);
    GroupCommit<List<String>> groups = new GroupCommit<>(tx);

    assertThat(groups.run("add a", adds("a"))).isEqualTo("a");
    assertThat(groups.run("add b", adds("b"))).isEqualTo("b");

    assertThat(tx.committed).containsExactly(List.of("a"), List.of("b"));
  }

  @Test
  void aQueuedUnitCommitsWithTheCallersNextUnit() {
    InMemoryTransactions tx = new InMemoryTransactions(false);
    GroupCommit<List<String>> groups = new GroupCommit<>(tx);

    GroupCommit.Pending<String> audit = groups.queue("add audit", adds("audit"));
    assertThat(tx.committed).isEmpty();
    assertThat(groups.run("add job", adds("job"))).isEqualTo("job");

    assertThat(tx.committed).containsExactly(List.of("audit", "job"));
    assertThat(audit.await()).isEqualTo("audit");
    assertThat(tx.committed).hasSize(1);
  }

  @Test
  void aQueuedUnitThatIsAwaitedAloneCommitsAlone() {
    InMemoryTransactions tx = new InMemoryTransactions(false);
    GroupCommit<List<String>> groups = new GroupCommit<>(tx);

    GroupCommit.Pending<String> audit = groups.queue("add audit", adds("audit"));

    assertThat(audit.await()).isEqualTo("audit");
    assertThat(tx.committed).containsExactly(List.of("audit"));
  }

  @Test
  void unitsThatArriveDuringACommitShareTheNextTransaction() throws Exception {
    InMemoryTransactions tx = new InMemoryTransactions(true);
    GroupCommit<List<String>> groups = new GroupCommit<>(tx);
    List<Future<String>> others = new ArrayList<>();
    Future<String> leader = heldLeader(groups, tx);
    for (String name : List.of("b", "c", "d", "e")) {
      others.add(submit(groups, tx, name));
    }
    awaitQueued(groups, 4);

    assertThat(tx.committed).isEmpty();
    tx.releaseFirst.countDown();

    assertThat(leader.get()).isEqualTo("lead");
    List<String> results = new ArrayList<>();
    for (Future<String> f : others) {
      results.add(f.get());
    }
    assertThat(results).containsExactly("b", "c", "d", "e");
    assertThat(tx.committed).hasSize(2);
    assertThat(tx.committed.get(0)).containsExactly("lead");
    assertThat(tx.committed.get(1)).containsExactlyInAnyOrder("b", "c", "d", "e");
  }

  @Test
  void aFailingUnitFailsOnlyItsOwnCaller() throws Exception {
    InMemoryTransactions tx = new InMemoryTransactions(true);
    GroupCommit<List<String>> groups = new GroupCommit<>(tx);
    Future<String> leader = heldLeader(groups, tx);
    Future<String> b = submit(groups, tx, "b");
    awaitQueued(groups, 1);
    CompletableFuture<Throwable> bad = new CompletableFuture<>();
    threads.submit(
        () -> {
          try {
            groups.run(
                "add bad",
                c -> {
                  c.add("bad");
                  throw new IllegalArgumentException("bad is refused");
                });
            bad.complete(null);
          } catch (RuntimeException e) {
            bad.complete(e);
          }
        });
    awaitQueued(groups, 2);
    Future<String> c = submit(groups, tx, "c");
    awaitQueued(groups, 3);

    tx.releaseFirst.countDown();

    assertThat(leader.get()).isEqualTo("lead");
    assertThat(b.get()).isEqualTo("b");
    assertThat(c.get()).isEqualTo("c");
    assertThat(bad.get()).isInstanceOf(IllegalArgumentException.class).hasMessage("bad is refused");
    // The shared transaction was rolled back; each ran again alone, in the order it came.
    assertThat(tx.committed).containsExactly(List.of("lead"), List.of("b"), List.of("c"));
  }

  @Test
  void whenTheSharedCommitFailsEachUnitGetsItsOwnTransaction() throws Exception {
    InMemoryTransactions tx = new InMemoryTransactions(true);
    tx.failNextSharedCommit = true;
    GroupCommit<List<String>> groups = new GroupCommit<>(tx);
    Future<String> leader = heldLeader(groups, tx);
    Future<String> b = submit(groups, tx, "b");
    awaitQueued(groups, 1);
    Future<String> c = submit(groups, tx, "c");
    awaitQueued(groups, 2);

    tx.releaseFirst.countDown();

    assertThat(leader.get()).isEqualTo("lead");
    assertThat(List.of(b.get(), c.get())).containsExactly("b", "c");
    assertThat(tx.committed).containsExactly(List.of("lead"), List.of("b"), List.of("c"));
  }

  @Test
  void aLoneUnitThatFailsGetsItsTransactionsFailure() {
    InMemoryTransactions tx = new InMemoryTransactions(false);
    GroupCommit<List<String>> groups = new GroupCommit<>(tx);

    assertThatThrownBy(
            () ->
                groups.run(
                    "add broken",
                    c -> {
                      throw new java.sql.SQLException("constraint failed");
                    }))
        .isInstanceOf(StoreException.class)
        .hasMessage("add broken failed: constraint failed");
    assertThat(tx.committed).isEmpty();
  }
}
