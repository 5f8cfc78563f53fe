// The daemon's JSON API, as the page uses it. Paths are relative to the page, so the page also
// works behind a reverse proxy that mounts the daemon under a prefix. Every request but health
// carries the daemon's token: reads too, since jobs, logs and environments may hold secrets.

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

// Asks the user for the token: resolves to true once one is set, false when they decline.
let askForToken = async () => false;

/**
 * Sets how a request without a token, or with one the daemon refuses (401), gets a new one:
 * ask(reason) resolves to true once the user has set it (reason is null before the first try,
 * else the daemon's message). The request is then sent again; it fails with the 401 only when the
 * user declines.
 */
export function onTokenNeeded(ask) {
  askForToken = ask;
}

/** Sends a request with the token, asking for one first and again as long as it is refused. */
async function authorized(path, init = {}) {
  for (;;) {
    const bearer = token.get();
    if (!bearer && !(await askForToken(null))) {
      throw new ApiError(401, "unauthorized", "the page needs the daemon's token (Set token)");
    }
    const sent = token.get();
    const response = await fetch(path, {
      ...init,
      headers: { ...(init.headers ?? {}), Authorization: `Bearer ${sent}` },
    });
    if (response.status !== 401) return response;
    const refused = await toError(response);
    // A token set meanwhile (by another request's prompt) is tried before asking again.
    if (token.get() === sent) {
      token.clear();
      if (!(await askForToken(refused.message))) throw refused;
    }
  }
}

/** A JSON read. Health is open; everything else carries the token. */
export async function getJson(path) {
  const init = { headers: { Accept: "application/json" } };
  const response = path === "api/v1/health" ? await fetch(path, init) : await authorized(path, init);
  if (!response.ok) {
    throw await toError(response);
  }
  return response.json();
}

/** A request that changes state. */
export async function postJson(path, body) {
  const response = await authorized(path, {
    method: "POST",
    headers: { Accept: "application/json", "Content-Type": "application/json" },
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
  const response = await authorized(`api/v1/jobs/${jobId}/logs?${query}`);
  if (!response.ok) {
    throw await toError(response);
  }
  return new Uint8Array(await response.arrayBuffer());
}

/**
 * The server-sent events of a response body, as {event, data} objects, in order. EventSource
 * cannot send the token, so the page reads the stream with fetch and parses it here.
 */
async function* serverSentEvents(body) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  let event = "message";
  let data = [];
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let newline;
    while ((newline = buffer.search(/\r\n|\r|\n/)) >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + (buffer.startsWith("\r\n", newline) ? 2 : 1));
      if (line === "") {
        if (data.length > 0) yield { event, data: data.join("\n") };
        event = "message";
        data = [];
      } else if (!line.startsWith(":")) {
        const colon = line.indexOf(":");
        const field = colon < 0 ? line : line.slice(0, colon);
        const text = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
        if (field === "event") event = text;
        else if (field === "data") data.push(text);
      }
    }
  }
}

/**
 * Follows /api/v1/stream. Calls handlers.job(event) and handlers.telemetry(snapshot), and
 * handlers.status("live" | "reconnecting" | "polling"). A stream that ends is opened again; when
 * it cannot be opened at all (an older daemon, a proxy that buffers), falls back to
 * handlers.poll() every few seconds and tries the stream again now and then.
 */
export function followStream(handlers) {
  const POLL_MS = 3000;
  const RETRY_MS = 30000;
  const RECONNECT_MS = 2000;
  let running = false;
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
  const dispatch = ({ event, data }) => {
    const handler = { job: handlers.job, telemetry: handlers.telemetry }[event];
    if (!handler) return;
    try {
      handler(JSON.parse(data));
    } catch (e) {
      console.warn("migctl: cannot handle a stream event", event, e);
    }
  };

  async function open() {
    if (running) return;
    running = true;
    let opened = false;
    try {
      const response = await authorized("api/v1/stream", { headers: { Accept: "text/event-stream" } });
      if (!response.ok || response.body === null) throw await toError(response);
      // Events may have been missed while the stream was down (not on the first open: the page
      // has just loaded everything).
      const missed = everOpened || pollTimer !== null;
      opened = true;
      everOpened = true;
      stopPolling();
      handlers.status("live");
      if (missed) handlers.reconnected();
      for await (const e of serverSentEvents(response.body)) dispatch(e);
    } catch (e) {
      if (!opened) console.warn("migctl: the event stream cannot be opened", e);
    } finally {
      running = false;
    }
    if (opened) {
      handlers.status("reconnecting");
      setTimeout(open, RECONNECT_MS);
    } else {
      startPolling();
    }
  }

  open();
}
