#!/usr/bin/python3
"""Write an interrogator export in the ENLIGHT layout from fbgsim spectra.

Not a copy of a vendor file: the layout as the issue describes it (Luna /
Micron Optics Hyperion "ENLIGHT" exports): a header block of "Key: value"
lines, then a "Wvl (nm)<TAB>CH 1<TAB>CH 2 ..." line, then rows of
wavelength and power in dBm; several spectra may follow each other, each
with its header.

    enlight.py SPECTRA.f64 NPIX A0 A1 [--channels N] [--channel K]
               [--no-units] [--linear] [--comma] > export.txt

SPECTRA.f64: what `fbgsim -f le:f64 -n NPIX -w A0,A1` wrote (counts). The
counts become power as 1 count = 1 nW (40000 counts: -14 dBm); channel K
(1 the first) carries them, the other channels a flat -45 dBm with 0.05 dB
of noise. Powers are written with 3 decimals, as interrogators write dBm.
--no-units leaves "dBm" out of the header (the reader must tell from the
values); --linear writes mW instead of dBm; --comma writes CSV.
"""
import sys
import numpy as np

args = sys.argv[1:]
opts = {a for a in args if a.startswith("--") and "=" not in a}
kv = {}
pos = []
i = 0
while i < len(args):
    a = args[i]
    if a in ("--channels", "--channel"):
        kv[a] = int(args[i + 1])
        i += 2
        continue
    if not a.startswith("--"):
        pos.append(a)
    i += 1
path, npix, a0, a1 = pos[0], int(pos[1]), float(pos[2]), float(pos[3])
nch = kv.get("--channels", 4)
ch = kv.get("--channel", 1)
linear = "--linear" in opts
units = "--no-units" not in opts
sep = "," if "--comma" in opts else "\t"

spectra = np.fromfile(path, dtype="<f8").reshape(-1, npix)
nm = a0 + a1 * np.arange(npix)
rng = np.random.default_rng(7)
out = sys.stdout
for k, counts in enumerate(spectra):
    mw = np.maximum(counts, 1e-3) * 1e-6
    cols = []
    for c in range(1, nch + 1):
        if c == ch:
            p = mw
        else:
            p = 10 ** ((-45 + 0.05 * rng.standard_normal(npix)) / 10)
        cols.append(p if linear else 10 * np.log10(p))
    out.write("Hyperion spectrum export (cellsense test fixture)\n")
    out.write("Date: 2026-12-02\n")
    out.write("Time: 04:%02d:%02d.000\n" % (k // 60 % 60, k % 60))
    out.write("Instrument: si155-fixture\n")
    out.write("Serial Number: FIXTURE-%04d\n" % 1)
    out.write("Channels: %d\n" % nch)
    out.write("Wavelength Start (nm): %.3f\n" % nm[0])
    out.write("Wavelength Step (pm): %.3f\n" % (a1 * 1000))
    out.write("Points: %d\n" % npix)
    if units:
        out.write("Units: %s\n" % ("mW" if linear else "dBm"))
    out.write("\n")
    out.write(sep.join(["Wvl (nm)"] + ["CH %d" % c for c in range(1, nch + 1)]) + "\n")
    fmt = "%.6e" if linear else "%.3f"
    for r in range(npix):
        out.write("%.3f" % nm[r] + sep + sep.join(fmt % col[r] for col in cols) + "\n")
