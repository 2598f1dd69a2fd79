#!/usr/bin/python3
# The lab's way on oversampled A-scans, for make bench: per gate,
# scipy.signal.correlate (method 'auto': the FFT for a pulse this long) +
# argmax + parabola, over the records bench-ustof-os wrote (pulse, then
# 64 x 4096 doubles). Single thread; the best of 5 passes.
import os
import sys
import time

for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[v] = "1"
import numpy as np  # noqa: E402 (after the thread limits)
import scipy  # noqa: E402
from scipy import signal  # noqa: E402

PULSE_LEN, NREC, N = int(sys.argv[2]), 64, 4096
GATES = ((300, 1499), (1800, 3299))
data = np.fromfile(sys.argv[1], dtype=np.float64)
pulse, recs = data[:PULSE_LEN], data[PULSE_LEN:].reshape(NREC, N)


def tof(x):
    out = []
    for lo, hi in GATES:
        r = signal.correlate(x[lo - 1:hi + 1 + PULSE_LEN], pulse, 'valid')
        k = 1 + int(np.argmax(r[1:-1]))
        a, b, c = r[k - 1], r[k], r[k + 1]
        den = a - 2 * b + c
        out.append(lo - 1 + k + (0.5 * (a - c) / den if den < 0 else 0.0))
    return out


best = float("inf")
for _ in range(5):
    t0 = time.perf_counter()
    for i in range(300):
        tof(recs[i % NREC])
    best = min(best, (time.perf_counter() - t0) / 300)
print("scipy %s, signal.correlate + parabola per gate: %.2f us/record"
      % (scipy.__version__, best * 1e6))
