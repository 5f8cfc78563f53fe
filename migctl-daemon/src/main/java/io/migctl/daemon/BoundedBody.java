package io.migctl.daemon;

import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads a request body up to a limit on the bytes actually read, whatever the framing: a declared
 * {@code Content-Length} over the limit is refused before anything is read, and a body without one
 * ({@code Transfer-Encoding: chunked}) is refused as soon as one byte more than the limit has come.
 * The rest is never read: the server closes the connection instead.
 */
final class BoundedBody {

  private BoundedBody() {}

  /** The body of {@code request}; see {@link #read(InputStream, long, int)}. */
  static byte[] read(HttpServletRequest request, int maxBytes) {
    InputStream in;
    try {
      in = request.getInputStream();
    } catch (IOException e) {
      throw unreadable();
    }
    return read(in, request.getContentLengthLong(), maxBytes);
  }

  /**
   * @param in the body
   * @param declaredBytes the {@code Content-Length}, or -1 when there is none
   * @param maxBytes the most bytes accepted
   * @throws DaemonException 413 {@code too-large} over the limit, 400 when the body cannot be read
   */
  static byte[] read(InputStream in, long declaredBytes, int maxBytes) {
    if (declaredBytes > maxBytes) {
      throw tooLarge(maxBytes);
    }
    byte[] bytes;
    try {
      if (declaredBytes >= 0) {
        // The server ends the body after the declared length: read exactly that.
        bytes = new byte[(int) declaredBytes];
        if (in.readNBytes(bytes, 0, bytes.length) < bytes.length) {
          throw unreadable();
        }
        return bytes;
      }
      bytes = in.readNBytes(maxBytes + 1);
    } catch (IOException e) {
      throw unreadable();
    }
    if (bytes.length > maxBytes) {
      throw tooLarge(maxBytes);
    }
    return bytes;
  }

  private static DaemonException unreadable() {
    return DaemonException.invalid(
        "the request body ended early or could not be read; send it again");
  }

  static DaemonException tooLarge(long maxBytes) {
    return new DaemonException(
        413,
        "too-large",
        "the request body is larger than "
            + maxBytes
            + " bytes; a job or a layout is far smaller: is it the right body?");
  }
}
