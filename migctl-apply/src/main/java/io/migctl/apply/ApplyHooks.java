package io.migctl.apply;

/**
 * Called at mig-parted's hook points of an apply: {@code apply-start} before anything, {@code
 * pre-apply-mode} before MIG modes change, {@code pre-apply-config} before instances change, and
 * {@code apply-exit} at the end, whatever the outcome. A hook that fails stops the apply (except
 * {@code apply-exit}, which runs last).
 */
@FunctionalInterface
public interface ApplyHooks {

  /** No hooks. */
  ApplyHooks NONE = hook -> {};

  void run(String hook);
}
