package io.migctl.env.conda;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Reassembles a conda-family tool's {@code --json} standard output, fed as chunks (lines split at
 * {@code \n} or NUL, separators dropped, as {@code ToolRunner} delivers them), into {@link
 * CondaMessage}s, handing each to a consumer as soon as it is complete.
 *
 * <p>Design note. What arrives is a mix: conda ≥ 4.3 ends every document with {@code "\n\0"},
 * compact progress documents on one line and the final document pretty-printed over many; 4.1/4.2
 * and classic mamba use newlines only; many versions print text lines (post-link scripts, progress
 * bars, pip) between documents. So framing cannot rely on separators. A document starts at a chunk
 * whose first non-blank character is <code>{</code> and ends where its braces balance (counted
 * outside JSON strings); other chunks are {@link CondaMessage.Text}, blank ones are dropped. A
 * chunk that starts with <code>{</code> in column 0 while a document is open means the open one was
 * broken (pretty-printed documents indent everything but their outer braces): it is reported as
 * {@link CondaMessage.Malformed} and the new one starts, so one corrupt record (conda 22.11) cannot
 * swallow the rest of the stream. Cost: linear in the output; one open document is buffered, capped
 * at {@link #MAX_DOCUMENT_CHARS}.
 *
 * <p>Not thread-safe: one reader per run, fed from one thread.
 */
public final class CondaStreamReader {

  /** Longest document kept; a longer one is reported as malformed (a runaway or binary stream). */
  static final int MAX_DOCUMENT_CHARS = 64 * 1024 * 1024;

  private final Consumer<CondaMessage> sink;
  private StringBuilder document;
  private int depth;
  private boolean inString;
  private boolean escaped;

  public CondaStreamReader(Consumer<CondaMessage> sink) {
    this.sink = sink;
  }

  /** Reads a whole output at once. */
  public static List<CondaMessage> readAll(String output) {
    List<CondaMessage> messages = new ArrayList<>();
    CondaStreamReader reader = new CondaStreamReader(messages::add);
    for (String chunk : output.split("[\n\0]", -1)) {
      reader.accept(chunk);
    }
    reader.finish();
    return messages;
  }

  /** Takes the next chunk (a line without its separator; a trailing {@code \r} is ignored). */
  public void accept(String chunk) {
    String line = chunk.endsWith("\r") ? chunk.substring(0, chunk.length() - 1) : chunk;
    if (document != null) {
      if (line.startsWith("{")) {
        sink.accept(
            new CondaMessage.Malformed(document.toString(), "interrupted by the next document"));
        document = null;
      } else {
        document.append('\n');
        scan(line);
        return;
      }
    }
    if (line.isBlank()) {
      return;
    }
    if (line.stripLeading().startsWith("{")) {
      document = new StringBuilder();
      depth = 0;
      inString = false;
      escaped = false;
      scan(line);
    } else {
      sink.accept(new CondaMessage.Text(line));
    }
  }

  /** Ends the stream: a document still open is reported as cut short. */
  public void finish() {
    if (document != null) {
      sink.accept(new CondaMessage.Malformed(document.toString(), "the output ended inside it"));
      document = null;
    }
  }

  private void scan(String line) {
    document.append(line);
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (inString) {
        if (escaped) {
          escaped = false;
        } else if (c == '\\') {
          escaped = true;
        } else if (c == '"') {
          inString = false;
        }
      } else if (c == '"') {
        inString = true;
      } else if (c == '{' || c == '[') {
        depth++;
      } else if (c == '}' || c == ']') {
        depth--;
        if (depth <= 0) {
          String text = document.toString();
          document = null;
          sink.accept(CondaOutput.classify(text));
          return;
        }
      }
    }
    if (document.length() > MAX_DOCUMENT_CHARS) {
      String head = document.substring(0, 200);
      document = null;
      sink.accept(
          new CondaMessage.Malformed(
              head, "longer than " + MAX_DOCUMENT_CHARS + " characters without closing"));
    }
  }
}
