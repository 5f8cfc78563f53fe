package io.migctl.bench;

/**
 * What one tool did on one transition.
 *
 * @param operations driver calls that changed the GPU and succeeded
 * @param failedCalls driver calls that failed
 * @param refused whether the tool refused and changed nothing (migctl, when the target cannot be
 *     reached without destroying a busy MIG device)
 * @param failed whether the tool tried and gave up (mig-parted after every ordering failed; migctl
 *     when a driver call stopped its apply)
 * @param reachedTarget whether the GPU's MIG devices afterwards match the target's counts
 * @param busyDestroyed MIG devices held by a process before that no longer exist
 * @param collateralDestroyed idle MIG devices destroyed although the target was not reached
 * @param emptied whether the target was not reached and the GPU, which had idle MIG devices, was
 *     left with none
 */
record Measurement(
    int operations,
    int failedCalls,
    boolean refused,
    boolean failed,
    boolean reachedTarget,
    int busyDestroyed,
    int collateralDestroyed,
    boolean emptied) {}
