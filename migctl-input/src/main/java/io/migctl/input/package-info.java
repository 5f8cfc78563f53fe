/**
 * Bounded, strict readers of user text, shared by every module that reads it: {@link
 * io.migctl.input.TextFiles} (files and standard input, at most 4 MiB, strict UTF-8, one set of
 * words for a file that cannot be read), {@link io.migctl.input.LimitedYaml} and {@link
 * io.migctl.input.LimitedJson} (within {@link io.migctl.core.input.InputLimits}, refusals naming
 * the source, the bound and the place). Depends on migctl-core, SnakeYAML Engine and Jackson alone.
 */
package io.migctl.input;
