// The node's page: GPUs drawn as their MIG slices, jobs, a log tail, environments and charts,
// kept current by the daemon's event stream. Reads and actions alike need the daemon's token:
// the page asks for it before its first read, and again whenever the daemon refuses it.

import { followStream, getJson, getLogChunk, onTokenNeeded, postJson, token } from "./api.js";
import { Charts, WINDOW_SECONDS } from "./charts.js";
import { renderGpus } from "./diagram.js";
import { coalesce, el, formatTime } from "./dom.js";

const TERMINAL = new Set(["succeeded", "failed", "cancelled", "lost"]);
const JOB_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
const $ = (id) => document.getElementById(id);

const state = {
  gpus: [],
  jobs: [],
  environments: [],
  telemetry: null,
  selectedJob: null,
};

// ---- token ------------------------------------------------------------------------------

const tokenDialog = $("token-dialog");
let tokenWaiter = null;
let tokenPrompt = null;

function showTokenState() {
  $("token-button").textContent = token.get() ? "Forget token" : "Set token";
  if (!token.get()) showPrincipal(null);
}

/**
 * Forgetting the token ends the principal's view: nothing shown or followed for it (jobs, a log,
 * the event stream, which the daemon filters by the token it was opened with) may stay on screen
 * for whoever signs in next, so the page starts over without a token.
 */
function forgetToken() {
  token.clear();
  window.location.reload();
}

/**
 * Says who the token acts as: the operator sees every tenant's jobs; a tenant its own only (the
 * daemon filters what it answers, so the page shows that tenant's view).
 */
function showPrincipal(who) {
  const p = $("principal");
  if (who === null) {
    p.textContent = "not signed in";
    p.dataset.principal = "none";
  } else if (who.operator) {
    p.textContent = "operator · all tenants";
    p.dataset.principal = "operator";
  } else {
    p.textContent = `tenant ${who.tenant}`;
    p.dataset.principal = `tenant:${who.tenant}`;
  }
}

const refreshPrincipal = coalesce(async () => {
  showPrincipal(await getJson("api/v1/whoami"));
});

/**
 * Opens the token prompt; resolves to the token, or null when the user cancels. Requests that
 * need the token while the prompt is open wait for the same answer.
 */
function askToken(reason) {
  // A prompt already open keeps its reason unless this one says more (a refusal).
  if (tokenPrompt === null || reason) $("token-reason").textContent = reason ?? "";
  if (tokenPrompt !== null) return tokenPrompt;
  $("token-input").value = "";
  if (!tokenDialog.open) tokenDialog.showModal();
  $("token-input").focus();
  tokenPrompt = new Promise((resolve) => {
    tokenWaiter = resolve;
  }).finally(() => {
    tokenPrompt = null;
  });
  return tokenPrompt;
}

function closeTokenDialog(value) {
  if (tokenDialog.open) tokenDialog.close();
  const resolve = tokenWaiter;
  tokenWaiter = null;
  if (resolve) {
    resolve(value);
  } else if (value !== null) {
    // Set from the header's button, not for a waiting request: read everything with it.
    refreshAll();
    refreshHistory();
  }
}

$("token-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const value = $("token-input").value.trim();
  if (!value) {
    $("token-reason").textContent = "Paste the token first.";
    return;
  }
  token.set(value);
  showTokenState();
  refreshPrincipal().catch(report);
  closeTokenDialog(value);
});
$("token-cancel").addEventListener("click", () => closeTokenDialog(null));
tokenDialog.addEventListener("cancel", () => closeTokenDialog(null));
$("token-button").addEventListener("click", () => {
  if (token.get()) {
    forgetToken();
  } else {
    askToken("");
  }
});

onTokenNeeded(async (refused) => {
  showTokenState();
  const reason =
    refused === null
      ? tokenPrompt === null
        ? "Jobs, logs, the layout and environments may hold secrets: the page needs the daemon's token to show them."
        : null
      : `The daemon refused the token: ${refused}`;
  return (await askToken(reason)) !== null;
});

// ---- GPUs -------------------------------------------------------------------------------

const refreshGpus = coalesce(async () => {
  state.gpus = await getJson("api/v1/gpus");
  drawGpus();
  fillProfiles();
});

let drawnGpus = "";
function drawGpus() {
  const key = JSON.stringify([state.gpus, state.telemetry?.gpus ?? null]);
  if (key === drawnGpus) return;
  drawnGpus = key;
  const list = $("gpu-list");
  // Redrawn with every telemetry reading: keep the keyboard focus on the same job link.
  const focused = document.activeElement?.closest?.("#gpu-list [data-job]");
  const job = focused?.dataset.job;
  renderGpus(list, state.gpus, state.telemetry, selectJob);
  list.setAttribute("aria-busy", "false");
  if (job !== undefined) list.querySelector(`[data-job="${job}"]`)?.focus();
}

function fillProfiles() {
  const select = $("job-gpu");
  const profiles = new Map();
  for (const gpu of state.gpus) {
    for (const inst of gpu.instances) profiles.set(inst.profile, inst.size);
  }
  const names = [...profiles.keys()].sort((a, b) => profiles.get(a) - profiles.get(b) || a.localeCompare(b));
  const current = select.value;
  const wanted = [...names, "none"];
  const have = [...select.options].map((o) => o.value);
  if (JSON.stringify(have) === JSON.stringify(wanted)) return;
  select.replaceChildren(
    ...names.map((n) => el("option", { value: n }, n)),
    el("option", { value: "none" }, "none (CPU only)"),
  );
  select.value = wanted.includes(current) && have.length > 1 ? current : wanted[0];
}

// ---- jobs -------------------------------------------------------------------------------

const refreshJobs = coalesce(async () => {
  state.jobs = await getJson("api/v1/jobs?limit=200");
  drawJobs();
  logTail.jobChanged();
});

function queuedCount() {
  return state.jobs.filter((j) => j.state === "queued").length;
}

function sliceCell(job) {
  const d = job.device;
  if (d) {
    return el(
      "td",
      { title: d.uuid },
      `GPU ${d.gpu} · ${d.profile} `,
      el("span", { class: "muted small" }, `GI ${d.gpuInstanceId}`),
    );
  }
  if (job.gpu === "none") return el("td", { class: "muted" }, "CPU only");
  return el("td", { class: "muted" }, `wants ${job.gpu}`);
}

function outcome(job) {
  const tone = job.state === "succeeded" || job.state === "cancelled" ? "muted" : "why";
  if (job.waiting) return el("td", { class: "why" }, job.waiting);
  if (job.reason) return el("td", { class: tone }, job.reason);
  if (job.exitStatus != null) return el("td", { class: tone }, `exit ${job.exitStatus}`);
  return el("td");
}

function drawJobs() {
  const body = $("jobs-body");
  const focused = document.activeElement?.closest?.("#jobs-body [data-action]");
  const focusKey = focused ? `${focused.dataset.action}:${focused.dataset.job}` : null;
  if (state.jobs.length === 0) {
    body.replaceChildren(
      el("tr", {}, el("td", { colspan: 8, class: "muted" }, "No jobs yet. Submit one with the form, or migctl submit.")),
    );
  } else {
    body.replaceChildren(...state.jobs.map(jobRow));
  }
  if (focusKey) {
    const [action, job] = focusKey.split(":");
    body.querySelector(`[data-action="${action}"][data-job="${job}"]`)?.focus();
  }
  const counts = new Map();
  for (const j of state.jobs) counts.set(j.state, (counts.get(j.state) ?? 0) + 1);
  const order = ["running", "starting", "queued", "stopping", "succeeded", "failed", "cancelled", "lost"];
  $("jobs-summary").textContent = order
    .filter((s) => counts.has(s))
    .map((s) => `${counts.get(s)} ${s}`)
    .join(" · ");
}

function jobRow(job) {
  const selected = job.id === state.selectedJob;
  return el(
    "tr",
    { class: selected ? "selected" : null, dataset: { job: job.id, state: job.state } },
    el("th", { scope: "row", class: "num" }, `${job.id}`),
    el(
      "td",
      {},
      el(
        "button",
        {
          type: "button",
          class: "link",
          title: `Follow the log of job ${job.id}`,
          "aria-pressed": selected ? "true" : "false",
          dataset: { action: "log", job: job.id },
          onclick: () => selectJob(job.id),
        },
        job.name,
      ),
      job.tenant ? el("span", { class: "muted small" }, ` ${job.tenant}`) : null,
    ),
    el("td", {}, el("span", { class: `badge s-${job.state}` }, job.state)),
    sliceCell(job),
    el("td", { class: job.environment ? null : "muted" }, job.environment ?? "—"),
    el("td", { class: "nowrap", title: job.submittedAt }, formatTime(job.submittedAt)),
    outcome(job),
    el(
      "td",
      {},
      TERMINAL.has(job.state) || job.state === "stopping"
        ? null
        : el(
            "button",
            {
              type: "button",
              class: "small danger",
              "aria-label": `Cancel job ${job.id} ${job.name}`,
              dataset: { action: "cancel", job: job.id },
              onclick: () => cancelJob(job),
            },
            "Cancel",
          ),
    ),
  );
}

async function cancelJob(job) {
  if (!window.confirm(`Cancel job ${job.id} (${job.name})?`)) return;
  try {
    await postJson(`api/v1/jobs/${job.id}/cancel`);
  } catch (e) {
    window.alert(`Job ${job.id} was not cancelled: ${e.message}`);
  }
  await refreshJobs().catch(report);
}

function selectJob(id) {
  state.selectedJob = id;
  drawJobs();
  logTail.follow(id);
}

// ---- log tail ---------------------------------------------------------------------------

/** Follows one job's log by polling with the byte offset it has read up to. */
class LogTail {
  static MAX_CHARS = 200_000;
  static POLL_MS = 1000;

  constructor(pre, caption, streamSelect) {
    this.pre = pre;
    this.caption = caption;
    this.streamSelect = streamSelect;
    this.jobId = null;
    this.generation = 0;
    this.timer = null;
    streamSelect.addEventListener("change", () => this.jobId !== null && this.follow(this.jobId));
  }

  follow(jobId) {
    this.jobId = jobId;
    this.generation++;
    this.attempt = null;
    this.offset = 0;
    this.text = "";
    this.decoder = new TextDecoder();
    this.pre.textContent = "";
    this.describe();
    this.pollSoon(0);
  }

  /** The job list changed: the job may have moved on, so look again now. */
  jobChanged() {
    if (this.jobId === null) return;
    this.describe();
    this.pollSoon(0);
  }

  job() {
    return state.jobs.find((j) => j.id === this.jobId) ?? null;
  }

  describe() {
    const job = this.job();
    this.caption.textContent = job
      ? `Job ${job.id} · ${job.name} · ${job.state} · attempt ${job.attempt} · ${this.streamSelect.value}`
      : `Job ${this.jobId}`;
  }

  pollSoon(ms) {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.poll(), ms);
  }

  async poll() {
    const generation = this.generation;
    let job = this.job();
    if (!job) {
      try {
        job = await getJson(`api/v1/jobs/${this.jobId}`);
      } catch (e) {
        this.caption.textContent = `Job ${this.jobId}: ${e.message}`;
        return;
      }
    }
    if (generation !== this.generation) return;
    if (job.attempt !== this.attempt) {
      this.attempt = job.attempt;
      this.offset = 0;
      this.text = "";
      this.decoder = new TextDecoder();
    }
    let bytes;
    try {
      bytes = await getLogChunk(job.id, job.attempt, this.streamSelect.value, this.offset);
    } catch (e) {
      if (generation === this.generation) this.caption.textContent = `Job ${job.id}: ${e.message}`;
      return;
    }
    if (generation !== this.generation) return;
    if (bytes.length > 0) {
      const atBottom = this.pre.scrollHeight - this.pre.scrollTop - this.pre.clientHeight < 8;
      this.offset += bytes.length;
      this.text += this.decoder.decode(bytes, { stream: true });
      if (this.text.length > LogTail.MAX_CHARS) this.text = this.text.slice(-LogTail.MAX_CHARS);
      this.pre.textContent = this.text;
      if (atBottom) this.pre.scrollTop = this.pre.scrollHeight;
    }
    if (!TERMINAL.has(job.state) || bytes.length > 0) {
      this.pollSoon(LogTail.POLL_MS);
    } else if (this.text === "") {
      this.pre.textContent = "";
      this.caption.textContent += " · no output";
    }
  }
}

const logTail = new LogTail($("log-text"), $("log-job"), $("log-stream"));

// ---- submit -----------------------------------------------------------------------------

/**
 * Splits a command line into its arguments the way a shell groups words — whitespace separates,
 * '…' is literal, "…" and \ escape — without expanding anything: no variables, no globs, and no
 * shell runs the job. The daemon receives an argument list.
 */
function splitArguments(text) {
  const args = [];
  let current = "";
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw new Error("A ' quote is not closed.");
      current += text.slice(i + 1, end);
      inWord = true;
      i = end;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < text.length && text[j] !== '"'; j++) {
        if (text[j] === "\\" && (text[j + 1] === '"' || text[j + 1] === "\\")) j++;
        current += text[j];
      }
      if (j >= text.length) throw new Error('A " quote is not closed.');
      inWord = true;
      i = j;
    } else if (c === "\\" && i + 1 < text.length) {
      current += text[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) args.push(current);
      current = "";
      inWord = false;
    } else {
      current += c;
      inWord = true;
    }
  }
  if (inWord) args.push(current);
  return args;
}

function defaultName(command) {
  const program = command.split(/\s+/)[0].split("/").pop().replace(/[^A-Za-z0-9._-]/g, "");
  const name = program.replace(/^[._-]+/, "").slice(0, 63);
  return name || "job";
}

$("submit-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const nameInput = $("job-name");
  const commandInput = $("job-command");
  const result = $("submit-result");
  const name = nameInput.value.trim();
  const command = commandInput.value.trim();
  result.className = "";
  nameInput.removeAttribute("aria-invalid");
  commandInput.removeAttribute("aria-invalid");
  if (!command) {
    commandInput.setAttribute("aria-invalid", "true");
    result.className = "error";
    result.textContent = "Give a command to run.";
    commandInput.focus();
    return;
  }
  if (name && !JOB_NAME.test(name)) {
    nameInput.setAttribute("aria-invalid", "true");
    result.className = "error";
    result.textContent = "The name takes letters, digits, '.', '_' and '-' (at most 63).";
    nameInput.focus();
    return;
  }
  let argv;
  try {
    argv = splitArguments(command);
  } catch (e) {
    commandInput.setAttribute("aria-invalid", "true");
    result.className = "error";
    result.textContent = e.message;
    commandInput.focus();
    return;
  }
  const request = { name: name || defaultName(command), command: argv, gpu: $("job-gpu").value };
  const environment = $("job-env").value;
  if (environment) request.environment = environment;
  const button = $("submit-button");
  button.disabled = true;
  result.textContent = "Submitting…";
  try {
    const job = await postJson("api/v1/jobs", request);
    result.className = "ok";
    result.textContent = `Job ${job.id} submitted.`;
    state.jobs = [job, ...state.jobs.filter((j) => j.id !== job.id)];
    selectJob(job.id);
    refreshJobs().catch(report);
  } catch (e) {
    result.className = "error";
    result.textContent = e.message;
  } finally {
    button.disabled = false;
  }
});

// ---- environments -----------------------------------------------------------------------

const refreshEnvironments = coalesce(async () => {
  state.environments = await getJson("api/v1/environments");
  const body = $("env-body");
  if (state.environments.length === 0) {
    body.replaceChildren(
      el(
        "tr",
        {},
        el("td", { colspan: 4, class: "muted" }, "None built yet: ", el("code", {}, "migctl env create -f environment.yml")),
      ),
    );
  } else {
    body.replaceChildren(
      ...state.environments.map((b) =>
        el(
          "tr",
          {},
          el("th", { scope: "row" }, b.names.length ? b.names.join(", ") : "—"),
          el("td", { class: "mono", title: `${b.id}\n${b.prefix}` }, b.shortId),
          el("td", {}, b.backend),
          el("td", { class: "nowrap", title: b.created }, formatTime(b.created)),
        ),
      ),
    );
  }
  const select = $("job-env");
  const current = select.value;
  const names = [...new Set(state.environments.flatMap((b) => (b.names.length ? b.names : [b.shortId])))].sort();
  select.replaceChildren(el("option", { value: "" }, "none"), ...names.map((n) => el("option", { value: n }, n)));
  select.value = names.includes(current) ? current : "";
});

// ---- telemetry and charts ---------------------------------------------------------------

const charts = new Charts($("mem-chart"), $("queue-chart"));

function showTelemetry(snapshot) {
  state.telemetry = snapshot;
  $("telemetry-note").textContent = snapshot.simulated ? "simulated telemetry" : "";
  drawGpus();
}

const refreshHistory = coalesce(async () => {
  try {
    charts.setHistory(await getJson(`api/v1/telemetry/history?seconds=${WINDOW_SECONDS}`));
  } catch (e) {
    $("telemetry-note").textContent = `No history: ${e.message}`;
  }
});

const refreshTelemetry = coalesce(async () => {
  try {
    showTelemetry(await getJson("api/v1/telemetry"));
  } catch (e) {
    $("telemetry-note").textContent = `No telemetry: ${e.message}`;
  }
});

// ---- header and wiring ------------------------------------------------------------------

async function refreshHealth() {
  try {
    const health = await getJson("api/v1/health");
    $("node-info").textContent = `${health.driver} · version ${health.version}`;
  } catch (e) {
    $("node-info").textContent = `cannot reach the daemon: ${e.message}`;
  }
}

function report(e) {
  console.warn("migctl:", e);
}

function refreshAll() {
  refreshPrincipal().catch(report);
  refreshGpus().catch(report);
  refreshJobs().catch(report);
  refreshEnvironments().catch(report);
  refreshTelemetry();
}

const STREAM_TEXT = { live: "live", reconnecting: "reconnecting…", polling: "polling" };

showTokenState();
refreshHealth();
refreshAll();
refreshHistory();
followStream({
  status: (s) => {
    const pill = $("stream-status");
    pill.dataset.state = s;
    pill.textContent = STREAM_TEXT[s] ?? s;
    pill.title = s === "polling" ? "The event stream is unavailable; refreshing every few seconds." : "";
  },
  reconnected: () => {
    refreshAll();
    refreshHistory();
  },
  poll: refreshAll,
  job: () => {
    refreshJobs().catch(report);
    refreshGpus().catch(report);
  },
  telemetry: (snapshot) => {
    showTelemetry(snapshot);
    charts.append(snapshot, snapshot.queueDepth ?? queuedCount());
    // A waiting reason comes with the scheduling round after a submission, not with an event.
    if (state.jobs.some((j) => j.state === "queued" && !j.waiting)) refreshJobs().catch(report);
  },
});
// Environments change rarely and have no event of their own.
setInterval(() => refreshEnvironments().catch(report), 30_000);
