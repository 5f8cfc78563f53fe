// Small helpers for building the page. Text always goes in as text nodes, never as HTML, so
// nothing a job is named or prints can inject markup.

/**
 * el("td", {class: "x", dataset: {id: 1}, onclick: f}, "text", child, ...) — attributes are set
 * as attributes, except `dataset`, `style` (an object of CSS properties, applied through the
 * CSSOM so the page's content security policy holds) and `on…` listeners. Null and undefined
 * children and attribute values are skipped.
 */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "dataset") {
      for (const [k, v] of Object.entries(value)) node.dataset[k] = String(v);
    } else if (key === "style") {
      for (const [k, v] of Object.entries(value)) node.style.setProperty(k, String(v));
    } else if (key.startsWith("on")) {
      node.addEventListener(key.slice(2), value);
    } else {
      node.setAttribute(key, value === true ? "" : String(value));
    }
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

/** MiB as GiB with one decimal: 4864 → "4.8". */
export function gib(mib) {
  return (mib / 1024).toFixed(mib >= 10240 ? 0 : 1);
}

/** A time of day for today, else a date and time, in the browser's locale. */
export function formatTime(iso) {
  if (!iso) return "";
  const t = new Date(iso);
  const sameDay = t.toDateString() === new Date().toDateString();
  const time = t.toLocaleTimeString([], {
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23",
  });
  return sameDay ? time : `${t.toLocaleDateString([], { month: "short", day: "numeric" })} ${time}`;
}

/** "MIG-1a2b3c4d-…" → "MIG-1a2b3c4d…" for display; the full value goes in a title. */
export function shortUuid(uuid) {
  if (!uuid) return "";
  const cut = uuid.indexOf("-", uuid.indexOf("-") + 1);
  return cut > 0 ? uuid.slice(0, cut) + "…" : uuid;
}

/** Runs an async refresh at most once at a time; calls while it runs coalesce into one rerun. */
export function coalesce(refresh) {
  let running = null;
  let again = false;
  const run = async () => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          await refresh();
        } while (again);
      } finally {
        running = null;
      }
    })();
    return running;
  };
  return run;
}
