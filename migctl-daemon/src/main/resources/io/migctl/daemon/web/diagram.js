// The MIG diagram, drawn the way NVIDIA's MIG user guide draws geometries: the GPU's memory
// slices 0..N-1 are columns from left to right; each GPU instance is a box over the columns of
// its placement (start .. start+size-1); its compute instances sit inside it side by side.
// It is a CSS grid: column i+1 is memory slice i, a box spans `grid-column: start+1 / span size`.
// Every MIG device (one compute instance) carries data-uuid, data-start, data-size, data-profile,
// data-gi, data-ci and data-state, so tests and scripts can read the drawing back.

import { el, gib, shortUuid } from "./dom.js";

/** free | job | other (another tenant's job) | foreign: what a MIG device is drawn as. */
export function deviceState(instance) {
  if (instance.job != null) return "job";
  if (instance.otherTenant) return "other";
  if (instance.busy) return "foreign";
  return "free";
}

/** "1c.3g.20gb" (a compute-instance profile) → "3g.20gb" (its GPU instance's profile). */
function giProfile(profile) {
  return profile.replace(/^\d+c\./, "");
}

/** The compute slices a profile has: "3g.20gb" → 3, "1c.3g.20gb" → 1, "7g.80gb+me" → 7. */
function computeSlices(profile) {
  const c = /^(\d+)c\./.exec(profile);
  if (c) return Number(c[1]);
  const g = /^(\d+)g\./.exec(profile);
  return g ? Number(g[1]) : 0;
}

function idleFor(seconds) {
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

/** A ratio 0..1 as a whole percentage. */
function percent(ratio) {
  return `${Math.round(ratio * 100)}%`;
}

function slices(start, size) {
  return size === 1 ? `memory slice ${start}` : `memory slices ${start}–${start + size - 1}`;
}

/**
 * Draws every GPU into the container.
 *
 * @param gpus GET /api/v1/gpus
 * @param telemetry GET /api/v1/telemetry, or null while none has arrived
 * @param onJob called with a job id when its link in a box is chosen
 */
export function renderGpus(container, gpus, telemetry, onJob) {
  const gpuTelemetry = new Map();
  const deviceTelemetry = new Map();
  for (const g of telemetry?.gpus ?? []) {
    gpuTelemetry.set(g.uuid, g);
    for (const i of g.instances ?? []) deviceTelemetry.set(i.uuid, i);
  }
  if (gpus.length === 0) {
    container.replaceChildren(el("p", { class: "muted" }, "This node has no GPUs."));
    return;
  }
  container.replaceChildren(
    ...gpus.map((gpu) => renderGpu(gpu, gpuTelemetry.get(gpu.uuid), deviceTelemetry, onJob)),
  );
}

function renderGpu(gpu, tel, deviceTelemetry, onJob) {
  const titleId = `gpu-${gpu.index}-title`;
  const facts = [];
  // Absent (or null) means not reported: leave it out rather than show 0.
  if (tel?.temperatureC != null) facts.push(`${Math.round(tel.temperatureC)} °C`);
  if (tel?.powerW != null) facts.push(`${Math.round(tel.powerW)} W`);
  const head = el(
    "div",
    { class: "gpu-head" },
    el("h3", { id: titleId }, `GPU ${gpu.index}`, el("span", { class: "model" }, gpu.model)),
    el("span", { class: "muted small mono", title: gpu.uuid }, shortUuid(gpu.uuid)),
    facts.length ? el("span", { class: "gpu-facts" }, facts.join(" · ")) : null,
    gpu.migEnabled ? null : el("span", { class: "tag warn" }, "MIG off"),
  );
  const article = el("article", {
    class: "gpu",
    "aria-labelledby": titleId,
    dataset: { gpu: gpu.index, memorySlices: gpu.memorySlices },
  });
  article.append(head);
  if (!gpu.migEnabled) {
    article.append(
      el(
        "p",
        { class: "mig-off" },
        "MIG is disabled: the GPU runs as one device. Apply a layout to slice it.",
      ),
    );
    return article;
  }

  const columns = { "--slices": gpu.memorySlices };
  const axis = el(
    "div",
    { class: "mig-axis", "aria-hidden": "true", style: columns },
    Array.from({ length: gpu.memorySlices }, (_, i) =>
      el("span", { dataset: { slice: i } }, `${i}`),
    ),
  );

  const byGi = new Map();
  for (const inst of gpu.instances) {
    if (!byGi.has(inst.gi)) byGi.set(inst.gi, []);
    byGi.get(inst.gi).push(inst);
  }
  const covered = new Array(gpu.memorySlices).fill(false);
  const boxes = [];
  for (const group of [...byGi.values()].sort((a, b) => a[0].start - b[0].start)) {
    group.sort((a, b) => a.ci - b.ci);
    const { start, size } = group[0];
    for (let s = start; s < start + size && s < covered.length; s++) covered[s] = true;
    boxes.push(renderGi(group, deviceTelemetry, onJob));
  }
  const empties = [];
  covered.forEach((isCovered, s) => {
    if (!isCovered) {
      empties.push(
        el(
          "li",
          { class: "slot-empty", style: { "grid-column": `${s + 1} / span 1` } },
          el("span", { class: "visually-hidden" }, `memory slice ${s}: `),
          "not allocated",
        ),
      );
    }
  });
  const row = el(
    "ol",
    {
      class: "mig-row",
      style: columns,
      "aria-label": `GPU ${gpu.index}: ${gpu.memorySlices} memory slices, left to right`,
    },
    [...boxes, ...empties].sort((a, b) => gridStart(a) - gridStart(b)),
  );
  article.append(el("div", { class: "mig" }, axis, row));
  return article;
}

function gridStart(li) {
  return Number.parseInt(li.style.getPropertyValue("grid-column"), 10);
}

function renderGi(group, deviceTelemetry, onJob) {
  const first = group[0];
  const place = { "grid-column": `${first.start + 1} / span ${first.size}` };
  const profile = giProfile(first.profile);
  if (group.length === 1) {
    return el(
      "li",
      {
        class: `gi mig-device state-${deviceState(first)}`,
        style: place,
        dataset: deviceData(first),
      },
      deviceBody(first, profile, deviceTelemetry.get(first.uuid), onJob, true),
    );
  }
  // Several compute instances share this GPU instance's memory: one box, a cell per CI.
  return el(
    "li",
    {
      class: "gi gi-shared",
      style: place,
      dataset: { gi: first.gi, start: first.start, size: first.size, profile },
    },
    el(
      "div",
      { class: "gi-head" },
      el("strong", {}, profile),
      el("span", { class: "ids" }, `GI ${first.gi} · ${group.length} compute instances`),
      el("span", { class: "visually-hidden" }, `, ${slices(first.start, first.size)}`),
    ),
    el(
      "ul",
      { class: "cis" },
      group.map((inst) =>
        el(
          "li",
          { class: `ci mig-device state-${deviceState(inst)}`, dataset: deviceData(inst) },
          deviceBody(inst, inst.profile, deviceTelemetry.get(inst.uuid), onJob, false),
        ),
      ),
    ),
  );
}

function deviceData(inst) {
  return {
    uuid: inst.uuid,
    start: inst.start,
    size: inst.size,
    profile: inst.profile,
    gi: inst.gi,
    ci: inst.ci,
    state: deviceState(inst),
  };
}

function deviceBody(inst, profile, tel, onJob, ownGi) {
  const state = deviceState(inst);
  const parts = [];
  const pips = el(
    "span",
    { class: "pips", title: `${computeSlices(profile)} compute slices`, "aria-hidden": "true" },
    Array.from({ length: computeSlices(profile) }, () => el("i")),
  );
  parts.push(
    el(
      "div",
      { class: "dev-head" },
      el("strong", { class: "profile" }, profile),
      pips,
      el("span", { class: "ids" }, ownGi ? `GI ${inst.gi}` : `CI ${inst.ci}`),
    ),
  );
  parts.push(
    el("span", { class: "visually-hidden" }, `${slices(inst.start, inst.size)}, CI ${inst.ci}: `),
  );
  if (state === "job") {
    parts.push(
      el(
        "div",
        { class: "dev-state" },
        el(
          "button",
          {
            type: "button",
            class: "link job-link",
            title: `Follow the log of job ${inst.job}`,
            dataset: { action: "log", job: inst.job },
            onclick: () => onJob(inst.job),
          },
          `#${inst.job} ${inst.jobName ?? ""}`,
        ),
      ),
    );
  } else if (state === "other") {
    parts.push(
      el(
        "div",
        { class: "dev-state", title: "held by a job of another tenant, which this token may not see" },
        "another tenant's job",
      ),
    );
  } else if (state === "foreign") {
    parts.push(
      el(
        "div",
        { class: "dev-state", title: "held by a process that is not a migctl job" },
        "foreign process",
      ),
    );
  } else {
    parts.push(el("div", { class: "dev-state" }, "free"));
  }
  if (tel?.fbUsedMiB != null && tel?.fbTotalMiB) {
    const pct = Math.min(100, (100 * tel.fbUsedMiB) / tel.fbTotalMiB);
    parts.push(
      el(
        "div",
        {
          class: "mem",
          role: "meter",
          "aria-label": "memory used",
          "aria-valuemin": 0,
          "aria-valuemax": tel.fbTotalMiB,
          "aria-valuenow": tel.fbUsedMiB,
          "aria-valuetext": `${gib(tel.fbUsedMiB)} of ${gib(tel.fbTotalMiB)} GiB`,
        },
        el("span", { class: "mem-bar" }, el("span", { style: { width: `${pct}%` } })),
        el("span", { class: "mem-text" }, `${gib(tel.fbUsedMiB)} / ${gib(tel.fbTotalMiB)} GiB`),
      ),
    );
  }
  const facts = [];
  // DCGM's SM and tensor activity where the GPU reports them (Hopper and later): a held slice
  // with idle SMs is larger than its job needs. Where only the engine's activity is known, that.
  const act = tel?.activity;
  if (act?.smActive != null) {
    facts.push(`SM ${percent(act.smActive)}`);
    facts.push(`tensor ${act.tensorActive != null ? percent(act.tensorActive) : "—"}`);
  } else if (tel?.grEngineActive != null) {
    facts.push(`engine ${percent(tel.grEngineActive)}`);
  }
  if (tel?.processes != null) facts.push(`${tel.processes} proc`);
  if (state === "job" && tel?.state === "idle" && tel?.idleSeconds != null) {
    facts.push(`idle ${idleFor(tel.idleSeconds)}`);
  }
  if (facts.length) parts.push(el("div", { class: "dev-facts" }, facts.join(" · ")));
  parts.push(el("div", { class: "uuid mono", title: inst.uuid }, shortUuid(inst.uuid)));
  return parts;
}
