"""Trains a small neural network on the CPU: the stand-in for a training run on a 2g.10gb slice.

Standard library only. The data are two interleaved spirals (seeded, so every run does the same
work); the model is a two-layer perceptron trained with plain stochastic gradient descent.
"""

import argparse
import math
import os
import random
import sys
import time


def spirals(n, rng):
    points = []
    for i in range(n):
        label = i % 2
        t = 0.5 + 3.0 * rng.random()
        angle = t * math.pi + label * math.pi
        x = t * math.cos(angle) + rng.gauss(0, 0.15)
        y = t * math.sin(angle) + rng.gauss(0, 0.15)
        # A few fixed features of (x, y) so that the network has something to combine.
        features = [x, y, x * y, x * x - y * y, math.sin(x), math.sin(y), math.cos(x), math.cos(y)]
        points.append((features, label))
    return points


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--samples", type=int, default=12000)
    parser.add_argument("--hidden", type=int, default=32)
    parser.add_argument("--learning-rate", type=float, default=0.05)
    args = parser.parse_args()

    device = os.environ.get("CUDA_VISIBLE_DEVICES") or "none"
    print(f"train: MIG device (CUDA_VISIBLE_DEVICES): {device}", flush=True)
    print(f"train: environment {os.environ.get('EXAMPLE_ENVIRONMENT', '?')}, "
          f"python {sys.version.split()[0]}", flush=True)

    rng = random.Random(42)
    data = spirals(args.samples, rng)
    split = int(len(data) * 0.8)
    training, validation = data[:split], data[split:]
    inputs, hidden = len(data[0][0]), args.hidden
    w1 = [[rng.gauss(0, 1 / math.sqrt(inputs)) for _ in range(inputs)] for _ in range(hidden)]
    b1 = [0.0] * hidden
    w2 = [rng.gauss(0, 1 / math.sqrt(hidden)) for _ in range(hidden)]
    b2 = 0.0

    def forward(x):
        h = []
        for j in range(hidden):
            s = b1[j]
            row = w1[j]
            for k in range(inputs):
                s += row[k] * x[k]
            h.append(math.tanh(s))
        z = b2
        for j in range(hidden):
            z += w2[j] * h[j]
        z = max(-30.0, min(30.0, z))
        return h, 1.0 / (1.0 + math.exp(-z))

    def accuracy(points):
        return sum((forward(x)[1] > 0.5) == bool(y) for x, y in points) / len(points)

    started = time.monotonic()
    for epoch in range(1, args.epochs + 1):
        rng.shuffle(training)
        loss = 0.0
        for step, (x, y) in enumerate(training, 1):
            h, p = forward(x)
            loss -= math.log(max(p if y else 1 - p, 1e-12))
            dz = p - y
            for j in range(hidden):
                dh = dz * w2[j] * (1 - h[j] * h[j])
                w2[j] -= args.learning_rate * dz * h[j]
                row = w1[j]
                for k in range(inputs):
                    row[k] -= args.learning_rate * dh * x[k]
                b1[j] -= args.learning_rate * dh
            b2 -= args.learning_rate * dz
            if step % 3000 == 0:
                print(f"train: epoch {epoch}, step {step}/{len(training)}, "
                      f"loss {loss / step:.4f}", flush=True)
        print(f"train: epoch {epoch}/{args.epochs} done: loss {loss / len(training):.4f}, "
              f"validation accuracy {accuracy(validation):.3f}, "
              f"{time.monotonic() - started:.1f}s", flush=True)
    print(f"train: finished, validation accuracy {accuracy(validation):.3f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
