"""Cleans a text corpus on the CPU: the preprocessing step, which needs no GPU.

Standard library only. It generates a seeded corpus of noisy support tickets (so every run does the
same work), normalises and tokenises them, drops near-duplicates by MinHash over word shingles, and
builds a vocabulary with bigram counts.
"""

import argparse
import collections
import hashlib
import os
import random
import re
import sys
import time
import unicodedata

WORDS = (
    "gpu slice memory job queue train model batch epoch loss node driver restart timeout cuda "
    "kernel tensor python conda environment build cache disk network latency throughput error "
    "warning retry checkpoint resume schedule tenant quota metric alert dashboard log"
).split()
NOISE = ["!!", "...", "  ", "\t", " :) ", " -- ", "??", " #", " (urgent)", " Ünïcödé "]
TOKEN = re.compile(r"[a-z0-9]+")


def corpus(n, rng):
    lines = []
    for i in range(n):
        if lines and rng.random() < 0.15:  # a resent ticket with small edits
            words = rng.choice(lines).split()
            words[rng.randrange(len(words))] = rng.choice(WORDS).upper()
            lines.append(" ".join(words))
            continue
        words = [rng.choice(WORDS) for _ in range(rng.randint(12, 30))]
        for _ in range(rng.randint(0, 3)):
            words.insert(rng.randrange(len(words)), rng.choice(NOISE))
        lines.append(f"Ticket {i}: " + " ".join(words))
    return lines


def normalise(line):
    text = unicodedata.normalize("NFKD", line).encode("ascii", "ignore").decode()
    return TOKEN.findall(text.lower())


def minhash(tokens, seeds):
    shingles = {" ".join(tokens[i:i + 3]) for i in range(max(1, len(tokens) - 2))}
    return tuple(
        min(int.from_bytes(hashlib.blake2b(f"{s}/{sh}".encode(), digest_size=8).digest(), "big")
            for sh in shingles)
        for s in seeds)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tickets", type=int, default=3000)
    parser.add_argument("--hashes", type=int, default=16)
    args = parser.parse_args()

    device = os.environ.get("CUDA_VISIBLE_DEVICES") or "none (this job asked for no GPU)"
    print(f"preprocess: MIG device (CUDA_VISIBLE_DEVICES): {device}", flush=True)
    print(f"preprocess: environment {os.environ.get('EXAMPLE_ENVIRONMENT', '?')}, "
          f"python {sys.version.split()[0]}", flush=True)

    started = time.monotonic()
    lines = corpus(args.tickets, random.Random(3))
    print(f"preprocess: generated {len(lines)} tickets", flush=True)

    seeds = list(range(args.hashes))
    seen, kept, duplicates = {}, [], 0
    for i, line in enumerate(lines, 1):
        tokens = normalise(line)[2:]  # drop "ticket <n>"
        signature = minhash(tokens, seeds)
        # Banding: two tickets whose signatures agree on a band of 4 hashes are near-duplicates.
        bands = [signature[b:b + 4] for b in range(0, len(signature), 4)]
        if any(band in seen for band in bands):
            duplicates += 1
        else:
            for band in bands:
                seen[band] = i
            kept.append(tokens)
        if i % max(1, len(lines) // 5) == 0:
            print(f"preprocess: {i}/{len(lines)} tickets cleaned, {duplicates} near-duplicates "
                  f"dropped, {time.monotonic() - started:.1f}s", flush=True)

    words = collections.Counter(t for tokens in kept for t in tokens)
    bigrams = collections.Counter(
        (a, b) for tokens in kept for a, b in zip(tokens, tokens[1:]))
    top = ", ".join(f"{w} {n}" for w, n in words.most_common(5))
    pair = " ".join(bigrams.most_common(1)[0][0]) if bigrams else "-"
    print(f"preprocess: finished: kept {len(kept)} of {len(lines)} tickets, vocabulary "
          f"{len(words)} words (top: {top}), most common bigram \"{pair}\", "
          f"{time.monotonic() - started:.1f}s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
