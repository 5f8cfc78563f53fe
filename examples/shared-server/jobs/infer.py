"""Serves batched inference on the CPU: the stand-in for a model server on a 1g.5gb slice.

Standard library only. A fixed, seeded three-layer network scores batches of synthetic requests.
Replicas split the batches between them by MIGCTL_REPLICA and MIGCTL_REPLICAS, which migctl sets.
"""

import argparse
import math
import os
import random
import statistics
import sys
import time


def layer(rng, inputs, outputs):
    scale = 1 / math.sqrt(inputs)
    return [[rng.gauss(0, scale) for _ in range(inputs)] for _ in range(outputs)]


def apply(weights, vector, activation):
    out = []
    for row in weights:
        s = 0.0
        for w, v in zip(row, vector):
            s += w * v
        out.append(activation(s))
    return out


def relu(x):
    return x if x > 0 else 0.0


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--batches", type=int, default=300, help="batches for all replicas together")
    parser.add_argument("--batch-size", type=int, default=32)
    args = parser.parse_args()

    replica = int(os.environ.get("MIGCTL_REPLICA", "1"))
    replicas = int(os.environ.get("MIGCTL_REPLICAS", "1"))
    name = f"infer {replica}/{replicas}"
    device = os.environ.get("CUDA_VISIBLE_DEVICES") or "none"
    print(f"{name}: MIG device (CUDA_VISIBLE_DEVICES): {device}", flush=True)
    print(f"{name}: environment {os.environ.get('EXAMPLE_ENVIRONMENT', '?')}, "
          f"python {sys.version.split()[0]}", flush=True)

    model = random.Random(7)  # every replica serves the same model
    w1, w2, w3 = layer(model, 64, 96), layer(model, 96, 48), layer(model, 48, 10)
    mine = [b for b in range(args.batches) if b % replicas == replica - 1]
    latencies, served, classes = [], 0, [0] * 10
    started = time.monotonic()
    for done, batch in enumerate(mine, 1):
        requests = random.Random(1000 + batch)
        t0 = time.monotonic()
        for _ in range(args.batch_size):
            x = [requests.uniform(-1, 1) for _ in range(64)]
            logits = apply(w3, apply(w2, apply(w1, x, relu), relu), lambda v: v)
            classes[logits.index(max(logits))] += 1
        latencies.append((time.monotonic() - t0) * 1000)
        served += args.batch_size
        if done % max(1, len(mine) // 5) == 0 or done == len(mine):
            rate = served / (time.monotonic() - started)
            print(f"{name}: batch {done}/{len(mine)} (#{batch}), {served} requests, "
                  f"{rate:.0f} requests/s", flush=True)
    if latencies:
        p95 = sorted(latencies)[max(0, math.ceil(len(latencies) * 0.95) - 1)]
        print(f"{name}: finished {served} requests; batch latency p50 "
              f"{statistics.median(latencies):.1f} ms, p95 {p95:.1f} ms; "
              f"predicted classes {classes}", flush=True)
    else:
        print(f"{name}: no batches for this replica", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
