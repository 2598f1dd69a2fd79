#!/usr/bin/python3
"""Write an interrogator export in the ENLIGHT layout (as enlight.py: a
"Key: value" header, a "Wvl (nm)<TAB>CH 1" line, rows of wavelength and dBm
with 3 decimals) of reflections fbgsim does not make, and their truth.

    shapes-export.py N TRUTH > export.txt

N spectra of 2501 points at 8 pm from 1540 nm, one channel; four gratings
drifting 1/64 pixel a spectrum: a Gaussian 20 px wide at 1544 nm, a
Lorentzian 40 px at 1548 nm, a flat-topped one (super-Gaussian of order
6) 60 px at 1552 nm, a sinc^2 (side lobes) 17 px at 1556 nm, each half
the source; read and shot noise (SNR 30 dB at the top), 1 count = 1 nW.
TRUTH gets "spectrum<TAB>grating<TAB>nm" lines.
"""
import sys
import numpy as np

n, truth_path = int(sys.argv[1]), sys.argv[2]
npix, a0, a1 = 2501, 1540.0, 0.008
px = np.arange(npix)
gratings = [("g0", "gauss", 500.0, 20.0), ("g1", "lorentz", 1000.0, 40.0),
            ("g2", "flat", 1500.0, 60.0), ("g3", "sinc2", 2000.0, 17.0)]


def shape(kind, u, w):
    if kind == "gauss":
        return np.exp(-4 * np.log(2) * u * u / (w * w))
    if kind == "lorentz":
        return 1 / (1 + 4 * u * u / (w * w))
    if kind == "flat":
        return np.exp(-np.log(2) * np.abs(2 * u / w) ** 6)
    x = 2 * 1.3915573782515103 * u / w
    return np.sinc(x / np.pi) ** 2


rng = np.random.default_rng(11)
amp = 20000.0
base = 2200.0 + 0.2 * (px - 1250)
sigma = amp / 10 ** (30 / 20)
read = np.sqrt(0.2) * sigma
gain = (base.max() + amp) / (0.8 * sigma * sigma)
out = sys.stdout
with open(truth_path, "w") as t:
    for k in range(n):
        m = base.copy()
        for name, kind, p0, w in gratings:
            mu = p0 + k / 64.0
            m += amp * shape(kind, px - mu, w)
            t.write("%d\t%s\t%.7f\n" % (k, name, a0 + a1 * mu))
        y = m + np.sqrt(read * read + m / gain) * rng.standard_normal(npix)
        dbm = 10 * np.log10(np.maximum(y, 1.0) * 1e-6)
        out.write("Hyperion spectrum export (cellsense test fixture)\n")
        out.write("Date: 2026-12-02\n")
        out.write("Time: 05:%02d:%02d.000\n" % (k // 60 % 60, k % 60))
        out.write("Channels: 1\n")
        out.write("Wavelength Start (nm): %.3f\n" % a0)
        out.write("Wavelength Step (pm): %.3f\n" % (a1 * 1000))
        out.write("Points: %d\n" % npix)
        out.write("Units: dBm\n")
        out.write("\n")
        out.write("Wvl (nm)\tCH 1\n")
        out.write("".join("%.3f\t%.3f\n" % (a0 + a1 * r, dbm[r])
                          for r in range(npix)))
