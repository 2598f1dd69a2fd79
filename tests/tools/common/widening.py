#!/usr/bin/python3
"""Write text spectra (one a line) of a grating whose reflection widens as
it drifts, as a strain gradient along it does, and their truth.

    widening.py N W0 W1 TRUTH > spectra.txt

N spectra of 1024 pixels (1540 nm + 8 pm a pixel): a Gaussian drifting
1/512 px a spectrum from pixel 400.3, its FWHM growing from W0 to W1 px
over the first half and then steady; 20000 counts over a flat 1000, read
and shot noise (SNR 49 dB at the top). Nothing here comes from cellsense.
TRUTH gets "spectrum<TAB>nm" lines.
"""
import sys
import numpy as np

n, w0, w1, truth_path = int(sys.argv[1]), float(sys.argv[2]), \
    float(sys.argv[3]), sys.argv[4]
rng = np.random.default_rng(5)
x = np.arange(1024)
with open(truth_path, "w") as truth:
    for k in range(n):
        mu = 400.3 + k / 512.0
        w = w0 + (w1 - w0) * min(1.0, k / (0.5 * n))
        m = 1000 + 20000 * np.exp(-4 * np.log(2) * ((x - mu) / w) ** 2)
        y = np.round(m + np.sqrt(100 + m / 4) * rng.standard_normal(1024))
        sys.stdout.write(" ".join("%d" % v for v in y) + "\n")
        truth.write("%d\t%.6f\n" % (k, 1540 + 0.008 * mu))
