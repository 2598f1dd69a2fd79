#!/usr/bin/env python3
# What a lab would write: scipy.signal.find_peaks to locate the gratings,
# scipy.optimize.curve_fit of a Gaussian on a line around each. The
# baseline for fbgtrack's speed. Usage: scipy-fbg.py NPIX FILE COUNT CENTRES...
import sys
import numpy as np
from scipy.optimize import curve_fit
from scipy.signal import find_peaks

npix, path, count = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
centres = [float(c) for c in sys.argv[4:]]
a0, a1, a2 = 1510.0, 0.167, -0.000001
px = np.arange(npix)
nm = a0 + a1 * px + a2 * px * px


def model(x, b0, b1, a, mu, s):
    return b0 + b1 * (x - mu) + a * np.exp(-0.5 * ((x - mu) / s) ** 2)


data = np.fromfile(path, dtype='<u2', count=count * npix).reshape(-1, npix)
out = []
for t, y in enumerate(data.astype(float)):
    peaks, _ = find_peaks(y, prominence=2000)
    for c in centres:
        near = [p for p in peaks if abs(nm[p] - c) < 2.0]
        if not near:
            out.append((t, c, float('nan')))
            continue
        p = near[0]
        sl = slice(max(p - 8, 0), min(p + 9, npix))
        try:
            popt, _ = curve_fit(model, px[sl], y[sl],
                                p0=(y[sl].min(), 0.0, y[p] - y[sl].min(), p, 1.3))
            out.append((t, c, a0 + a1 * popt[3] + a2 * popt[3] ** 2))
        except RuntimeError:
            out.append((t, c, float('nan')))
print(len(out), file=sys.stderr)
