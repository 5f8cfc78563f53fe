package io.migctl.process;

/** Receives a tool's output while it runs, in chunks split at {@code '\n'} or NUL. */
@FunctionalInterface
public interface ToolOutput {

  /** Drops everything. */
  ToolOutput IGNORE = (stream, chunk) -> {};

  /** The stream a chunk came from. With merged output, everything is {@link #STDOUT}. */
  enum Stream {
    STDOUT,
    STDERR
  }

  /**
   * One chunk of output, the separator ({@code '\n'} or NUL) dropped; a last chunk without a
   * separator is delivered too. Calls for one stream arrive in order.
   */
  void accept(Stream stream, String chunk);

  /** A consumer of standard output's chunks only. */
  static ToolOutput stdout(java.util.function.Consumer<String> chunks) {
    return (stream, chunk) -> {
      if (stream == Stream.STDOUT) {
        chunks.accept(chunk);
      }
    };
  }
}
