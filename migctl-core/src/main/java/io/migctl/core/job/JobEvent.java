package io.migctl.core.job;

import java.time.Instant;
import java.util.Optional;

/**
 * One line of a job's history. The store numbers events with a sequence that is global across jobs,
 * so the history of all jobs is one total order.
 *
 * @param seq the store's sequence number; 0 until stored
 * @param from the state before; equal to {@code to} for the submission event
 * @param kind what happened: {@code submitted}, {@code placed}, {@code launched}, {@code exited}, …
 * @param detail a sentence for people
 * @param device the MIG device of the attempt, when it has one
 */
public record JobEvent(
    long seq,
    long jobId,
    Instant at,
    JobState from,
    JobState to,
    int attempt,
    String kind,
    String detail,
    Optional<String> device) {}
