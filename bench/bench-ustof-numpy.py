#!/usr/bin/python3
# The lab's way, for make bench: numpy.correlate + argmax + parabola per
# gate, over the records bench-ustof wrote (pulse, then 64 x 4096 doubles),
# written the two ways a lab would: the correlation over the whole record,
# then each gate's part of it; or the correlation within each gate only
# (less work, fewer numpy calls). Single thread (numpy.correlate does not
# thread, and BLAS is held to one thread anyway). Each time is the best of
# 5 passes. The last line, the faster of the two, is the baseline
# make bench divides by.
import os
import sys
import time

for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[v] = "1"
import numpy as np  # noqa: E402 (after the thread limits)

PULSE_LEN, NREC, N = int(sys.argv[2]), 64, 4096
GATES = ((300, 500), (1500, 1800), (3000, 3400))
data = np.fromfile(sys.argv[1], dtype=np.float64)
pulse, recs = data[:PULSE_LEN], data[PULSE_LEN:].reshape(NREC, N)


def parabola(r, k):
    a, b, c = r[k - 1], r[k], r[k + 1]
    den = a - 2 * b + c
    return k + (0.5 * (a - c) / den if den < 0 else 0.0)


def tof_record(x):
    r = np.correlate(x, pulse, 'valid')
    return [parabola(r, lo + int(np.argmax(r[lo:hi + 1])))
            for lo, hi in GATES]


def tof_gates(x):
    out = []
    for lo, hi in GATES:
        # lags lo - 1 .. hi + 1: the parabola needs both neighbours
        r = np.correlate(x[lo - 1:hi + 1 + PULSE_LEN], pulse, 'valid')
        out.append(lo - 1 + parabola(r, 1 + int(np.argmax(r[1:-1]))))
    return out


def timed(f, iters=1000):
    best = float("inf")
    for _ in range(5):
        t0 = time.perf_counter()
        for i in range(iters):
            f(recs[i % NREC])
        best = min(best, (time.perf_counter() - t0) / iters)
    return best


for x in recs:  # the same estimates both ways
    assert np.allclose(tof_record(x), tof_gates(x), rtol=0, atol=1e-9)
t_record, t_gates = timed(tof_record), timed(tof_gates)
print("  numpy %s, correlate over the whole record: %.2f us/record"
      % (np.__version__, t_record * 1e6))
print("  numpy %s, correlate within each gate: %.2f us/record"
      % (np.__version__, t_gates * 1e6))
print("numpy, the faster of the two: %.2f us/record"
      % (min(t_record, t_gates) * 1e6))
