// The daemon's JSON API, as the page uses it. Paths are relative to the page, so the page also
// works behind a reverse proxy that mounts the daemon under a prefix.

const TOKEN_KEY = "migctl.token";

/** The bearer token, kept for this tab only (sessionStorage), never in a cookie. */
export const token = {
  get: () => sessionStorage.getItem(TOKEN_KEY),
  set: (value) => sessionStorage.setItem(TOKEN_KEY, value),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

/** A refusal by the daemon: its HTTP status, error code and message (which says what to fix). */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

async function toError(response) {
  let code = "http-" + response.status;
  let message = `${response.status} ${response.statusText}`;
  try {
    const body = await response.json();
    code = body.code ?? code;
    message = body.message ?? message;
  } catch {
    // not JSON: keep the status line
  }
  return new ApiError(response.status, code, message);
}

export async function getJson(path) {
  const response = await fetch(path, { headers: { Accept: "application/json" } });
  if (!response.ok) {
    throw await toError(response);
  }
  return response.json();
}

/** A request that changes state: needs the token. Throws ApiError 401 without one. */
export async function postJson(path, body) {
  const bearer = token.get();
  if (!bearer) {
    throw new ApiError(401, "unauthorized", "this action needs the daemon's token");
  }
  const response = await fetch(path, {
    method: "POST",
    headers: {
      Accept: "application/json",
      "Content-Type": "application/json",
      Authorization: `Bearer ${bearer}`,
    },
    body: body === undefined ? "{}" : JSON.stringify(body),
  });
  if (!response.ok) {
    throw await toError(response);
  }
  return response.status === 204 ? null : response.json();
}

/**
 * The bytes of a job's log from an offset: {bytes: Uint8Array}. The offset counts bytes, so the
 * caller decodes with a streaming TextDecoder and never splits a character.
 */
export async function getLogChunk(jobId, attempt, stream, offset) {
  const query = new URLSearchParams({ stream, offset: String(offset), attempt: String(attempt) });
  const response = await fetch(`api/v1/jobs/${jobId}/logs?${query}`);
  if (!response.ok) {
    throw await toError(response);
  }
  return new Uint8Array(await response.arrayBuffer());
}

/**
 * Follows /api/v1/stream. Calls handlers.job(event) and handlers.telemetry(snapshot), and
 * handlers.status("live" | "reconnecting" | "polling"). When the stream cannot be opened at all
 * (an older daemon, a proxy that buffers), falls back to handlers.poll() every few seconds and
 * tries the stream again now and then.
 */
export function followStream(handlers) {
  const POLL_MS = 3000;
  const RETRY_MS = 30000;
  let source = null;
  let pollTimer = null;
  let everOpened = false;

  const startPolling = () => {
    if (pollTimer === null) {
      handlers.status("polling");
      pollTimer = setInterval(handlers.poll, POLL_MS);
    }
    setTimeout(open, RETRY_MS);
  };
  const stopPolling = () => {
    if (pollTimer !== null) {
      clearInterval(pollTimer);
      pollTimer = null;
    }
  };
  const parse = (event, handler) => {
    try {
      handler(JSON.parse(event.data));
    } catch (e) {
      console.warn("migctl: cannot handle a stream event", event.type, e);
    }
  };

  function open() {
    if (source !== null) return;
    let opened = false;
    source = new EventSource("api/v1/stream");
    source.addEventListener("open", () => {
      // Events may have been missed while the stream was down (not on the first open: the page
      // has just loaded everything).
      const missed = everOpened || pollTimer !== null;
      opened = true;
      everOpened = true;
      stopPolling();
      handlers.status("live");
      if (missed) handlers.reconnected();
    });
    source.addEventListener("job", (e) => parse(e, handlers.job));
    source.addEventListener("telemetry", (e) => parse(e, handlers.telemetry));
    source.addEventListener("error", () => {
      if (source.readyState === EventSource.CLOSED || !opened) {
        // Refused (not 200) or never reached: the browser gives up; poll instead.
        source.close();
        source = null;
        startPolling();
      } else {
        handlers.status("reconnecting");
      }
    });
  }

  open();
}
