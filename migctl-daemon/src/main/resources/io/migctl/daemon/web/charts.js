// Two uPlot charts: memory used per MIG slice, and the queue depth, over the last 15 minutes.
// They start from GET /api/v1/telemetry/history and grow with each telemetry event of the
// stream. A value the daemon did not report is null (a gap), never 0.

import uPlot from "../webjars/uplot/dist/uPlot.esm.js";

export const WINDOW_SECONDS = 900;
const HEIGHT = 170;
const PALETTE = [
  "#2563eb", "#16a34a", "#d97706", "#9333ea", "#dc2626", "#0891b2",
  "#65a30d", "#db2777", "#4f46e5", "#ca8a04", "#0d9488", "#7c3aed",
];

function sliceLabel(s) {
  return `GPU ${s.gpu} ${s.profile} GI ${s.gpuInstanceId}`;
}

const timeAxis = {
  stroke: "#475569",
  grid: { stroke: "#e2e8f0", width: 1 },
  ticks: { stroke: "#cbd5e1", width: 1 },
  font: "11px system-ui, sans-serif",
};

function valueAxis(label, format) {
  return {
    stroke: "#475569",
    grid: { stroke: "#e2e8f0", width: 1 },
    ticks: { stroke: "#cbd5e1", width: 1 },
    font: "11px system-ui, sans-serif",
    size: 44,
    label,
    labelSize: 16,
    labelFont: "11px system-ui, sans-serif",
    values: (u, splits) => splits.map(format),
  };
}

export class Charts {
  constructor(memoryEl, queueEl) {
    this.memoryEl = memoryEl;
    this.queueEl = queueEl;
    this.times = [];
    this.queue = [];
    this.slices = [];
    this.memoryPlot = null;
    this.queuePlot = null;
    const observer = new ResizeObserver(() => this.resize());
    observer.observe(memoryEl);
    observer.observe(queueEl);
  }

  /** Replaces everything with a history: {times, queueDepth, slices:[{uuid,…,usedMiB}]}. */
  setHistory(history) {
    this.times = [...history.times];
    this.queue = [...history.queueDepth];
    this.slices = history.slices.map((s) => ({ ...s, used: [...s.usedMiB] }));
    this.rebuild();
  }

  /**
   * Adds one point from a telemetry snapshot (the stream's telemetry event) and the queue depth
   * at the same moment.
   */
  append(snapshot, queueDepth) {
    const t = Math.floor(Date.parse(snapshot.at) / 1000);
    if (!Number.isFinite(t) || (this.times.length && t <= this.times[this.times.length - 1])) {
      return;
    }
    const used = new Map();
    let added = false;
    for (const gpu of snapshot.gpus ?? []) {
      for (const inst of gpu.instances ?? []) {
        used.set(inst.uuid, inst.fbUsedMiB ?? null);
        if (!this.slices.some((s) => s.uuid === inst.uuid)) {
          this.slices.push({
            uuid: inst.uuid,
            gpu: gpu.index,
            gpuInstanceId: inst.gpuInstanceId,
            profile: inst.profile,
            totalMiB: inst.fbTotalMiB ?? null,
            used: this.times.map(() => null),
          });
          added = true;
        }
      }
    }
    this.times.push(t);
    this.queue.push(queueDepth ?? null);
    for (const s of this.slices) s.used.push(used.has(s.uuid) ? used.get(s.uuid) : null);
    this.trim(t - WINDOW_SECONDS);
    if (added || !this.memoryPlot) {
      this.rebuild();
    } else {
      this.memoryPlot.setData(this.memoryData());
      this.queuePlot.setData([this.times, this.queue]);
    }
  }

  trim(oldest) {
    let drop = 0;
    while (drop < this.times.length && this.times[drop] < oldest) drop++;
    if (drop === 0) return;
    this.times.splice(0, drop);
    this.queue.splice(0, drop);
    for (const s of this.slices) s.used.splice(0, drop);
  }

  memoryData() {
    return [
      this.times,
      ...this.slices.map((s) => s.used.map((v) => (v === null || v === undefined ? null : v / 1024))),
    ];
  }

  width(el) {
    return Math.max(200, Math.floor(el.clientWidth));
  }

  rebuild() {
    this.memoryPlot?.destroy();
    this.queuePlot?.destroy();
    // Compute instances of one GPU instance share its label; tell them apart by their UUID.
    const plain = this.slices.map(sliceLabel);
    const labels = plain.map((l, i) =>
      plain.indexOf(l) === plain.lastIndexOf(l) ? l : `${l} ${this.slices[i].uuid.slice(4, 8)}`,
    );
    const gib = (v) => (v === null ? "" : v.toFixed(v < 10 ? 1 : 0));
    this.memoryPlot = new uPlot(
      {
        width: this.width(this.memoryEl),
        height: HEIGHT,
        legend: { live: false },
        cursor: { drag: { x: false, y: false } },
        scales: { y: { range: (u, min, max) => [0, Math.max(1, max ?? 1)] } },
        axes: [timeAxis, valueAxis("GiB", gib)],
        series: [
          {},
          ...this.slices.map((s, i) => ({
            label: labels[i],
            stroke: PALETTE[i % PALETTE.length],
            width: 1.5,
            spanGaps: false,
            value: (u, v) => (v === null ? "—" : `${v.toFixed(2)} GiB`),
          })),
        ],
      },
      this.memoryData(),
      this.memoryEl,
    );
    this.queuePlot = new uPlot(
      {
        width: this.width(this.queueEl),
        height: HEIGHT,
        legend: { live: false },
        cursor: { drag: { x: false, y: false } },
        scales: { y: { range: (u, min, max) => [0, Math.max(4, Math.ceil((max ?? 0) * 1.2))] } },
        axes: [timeAxis, valueAxis("jobs", (v) => (Number.isInteger(v) ? String(v) : ""))],
        series: [
          {},
          {
            label: "queued",
            stroke: "#d97706",
            fill: "rgba(217, 119, 6, 0.15)",
            width: 1.5,
            paths: uPlot.paths.stepped({ align: 1 }),
          },
        ],
      },
      [this.times, this.queue],
      this.queueEl,
    );
  }

  resize() {
    this.memoryPlot?.setSize({ width: this.width(this.memoryEl), height: HEIGHT });
    this.queuePlot?.setSize({ width: this.width(this.queueEl), height: HEIGHT });
  }
}
