package io.migctl.daemon.store;

import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Group commit: units of work that threads hand in at the same time share one transaction, so one
 * commit (and one sync of the disk) makes all of them durable.
 *
 * <p>Design: leader and followers, no timer. A thread queues its unit; when no group is being
 * committed it becomes the leader, takes every unit queued so far (up to {@link #MAX_GROUP}) and
 * commits them in one transaction, while the threads that arrive meanwhile queue up for the next
 * group. A lone caller therefore commits at once, as it would without grouping; under load the
 * group grows to the number of threads waiting on the disk. Every caller returns only after the
 * transaction holding its unit has committed, with its own result.
 *
 * <p>A unit that throws fails only its own caller: the shared transaction is rolled back and every
 * unit of that group runs again, each in a transaction of its own. Units must therefore do nothing
 * but work on the transaction's context, since they may run twice. The same goes for a failed
 * commit: each unit then gets the outcome of its own transaction.
 *
 * <p>Thread-safe. Cost: one lock hand-off per unit; the transaction is that of {@link
 * Transactions}.
 *
 * @param <C> what a unit works on, e.g. a JDBC connection
 */
public final class GroupCommit<C> {

  /** The most units one transaction takes, so that a transaction stays short. */
  public static final int MAX_GROUP = 128;

  /** A unit of work on the context of an open transaction. */
  @FunctionalInterface
  public interface Work<C, T> {
    T apply(C context) throws SQLException;
  }

  /** Where transactions are run: the port this class drives. */
  @FunctionalInterface
  public interface Transactions<C> {
    /**
     * Runs {@code body} in one transaction, committed when it returns and rolled back when it
     * throws; the exception then reaches the caller (a {@link SQLException} may be wrapped).
     *
     * @param what a few words for error messages
     */
    void inTransaction(String what, Work<C, ?> body);
  }

  private final Transactions<C> transactions;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition committed = lock.newCondition();
  private final ArrayDeque<Unit<C, ?>> queued = new ArrayDeque<>();
  private boolean committing;

  public GroupCommit(Transactions<C> transactions) {
    this.transactions = Objects.requireNonNull(transactions, "transactions");
  }

  /**
   * Runs {@code work} in a transaction that it may share with units of other threads; returns its
   * result once that transaction has committed.
   *
   * @param what a few words for error messages, e.g. {@code "insert job train"}
   * @throws RuntimeException what {@code work} or its transaction threw (when {@code work} ran
   *     alone), or {@link Error}
   */
  public <T> T run(String what, Work<C, T> work) {
    return queue(what, work).await();
  }

  /**
   * Queues {@code work} for the next transaction and returns at once, so that the caller's next
   * unit (queued after it) commits in the same transaction or a later one. The caller must {@link
   * Pending#await} it, on every path: until then, only another thread's unit takes it along.
   */
  public <T> Pending<T> queue(String what, Work<C, T> work) {
    Unit<C, T> unit = new Unit<>(this, what, work);
    lock.lock();
    try {
      queued.add(unit);
    } finally {
      lock.unlock();
    }
    return unit;
  }

  /** A queued unit of work. */
  public interface Pending<T> {
    /**
     * Waits until the unit's transaction has committed, committing it (and what else is queued)
     * when nobody else is.
     *
     * @return the unit's result
     * @throws RuntimeException what the unit or its own transaction threw, or {@link Error}
     */
    T await();
  }

  private <T> T await(Unit<C, T> unit) {
    lock.lock();
    try {
      while (!unit.done) {
        if (committing) {
          // The wait ends with the commit under way, which is bounded: uninterruptible.
          committed.awaitUninterruptibly();
        } else {
          lead();
        }
      }
      return unit.outcome();
    } finally {
      lock.unlock();
    }
  }

  /** How many units wait for a transaction now (not those being committed). */
  int queued() {
    lock.lock();
    try {
      return queued.size();
    } finally {
      lock.unlock();
    }
  }

  /** Takes the queued units and commits them, without holding the lock meanwhile. */
  private void lead() {
    committing = true;
    List<Unit<C, ?>> group = new ArrayList<>(Math.min(queued.size(), MAX_GROUP));
    while (!queued.isEmpty() && group.size() < MAX_GROUP) {
      group.add(queued.poll());
    }
    lock.unlock();
    try {
      commit(group);
    } finally {
      lock.lock();
      group.forEach(u -> u.done = true);
      committing = false;
      committed.signalAll();
    }
  }

  private void commit(List<Unit<C, ?>> group) {
    if (group.size() > 1) {
      try {
        transactions.inTransaction(
            group.size() + " units (" + group.getFirst().what + ", …)",
            c -> {
              for (Unit<C, ?> u : group) {
                u.apply(c);
              }
              return null;
            });
        return;
      } catch (RuntimeException | Error e) {
        // Some unit or the commit failed: nothing of the group is stored. Each runs alone now.
      }
    }
    for (Unit<C, ?> u : group) {
      try {
        transactions.inTransaction(u.what, u::apply);
      } catch (RuntimeException | Error e) {
        u.failure = e;
      }
    }
  }

  /** A queued unit and, once run, its outcome; guarded by the lock except while it runs. */
  private static final class Unit<C, T> implements Pending<T> {
    final GroupCommit<C> groups;
    final String what;
    final Work<C, T> work;
    T result;
    Throwable failure;
    boolean done;

    Unit(GroupCommit<C> groups, String what, Work<C, T> work) {
      this.groups = groups;
      this.what = what;
      this.work = work;
    }

    @Override
    public T await() {
      return groups.await(this);
    }

    T apply(C context) throws SQLException {
      result = work.apply(context);
      failure = null;
      return result;
    }

    /** The result, or what the unit's own transaction threw (a RuntimeException or Error). */
    T outcome() {
      if (failure instanceof RuntimeException e) {
        throw e;
      }
      if (failure instanceof Error e) {
        throw e;
      }
      return result;
    }
  }
}
