#!/usr/bin/python3
# The lab's way, for make bench: numpy.correlate + argmax + parabola per
# gate, over the records bench-ustof wrote (pulse, then 64 x 4096 doubles).
# Prints "numpy: X us/record".
import sys
import time

import numpy as np

PULSE_LEN, NREC, N = int(sys.argv[2]), 64, 4096
GATES = ((300, 500), (1500, 1800), (3000, 3400))
data = np.fromfile(sys.argv[1], dtype=np.float64)
pulse, recs = data[:PULSE_LEN], data[PULSE_LEN:].reshape(NREC, N)


def tof(x):
    r = np.correlate(x, pulse, 'valid')
    out = []
    for lo, hi in GATES:
        k = lo + int(np.argmax(r[lo:hi + 1]))
        a, b, c = r[k - 1], r[k], r[k + 1]
        den = a - 2 * b + c
        out.append(k + (0.5 * (a - c) / den if den < 0 else 0.0))
    return out


ITERS = 1000
t0 = time.perf_counter()
for i in range(ITERS):
    tof(recs[i % NREC])
t = (time.perf_counter() - t0) / ITERS
print("numpy %s: %.2f us/record" % (np.__version__, t * 1e6))
