#!/usr/bin/env python3
# svgplot.py SVG XMAX: for gnuplot's SVG of csplot --waterfall, print the
# embedded image's pixel size and, per plot group with a legend title, the
# x extent, tab-separated, (in plot units, 0..XMAX across the image) and the y extent (0 at
# the image's top, 1 at its bottom) of its lines inside the image.
# Used by tests/tools/csplot-waterfall.sh.
import base64
import re
import struct
import sys
import xml.dom.minidom

svg = open(sys.argv[1]).read()
xmax = float(sys.argv[2])
xml.dom.minidom.parseString(svg)
m = re.search(r"<image x='([\d.]+)' y='([\d.]+)' width='([\d.]+)' "
              r"height='([\d.]+)'[^>]*href='data:image/png;base64,([^']*)'", svg)
if not m:
    sys.exit("no embedded image")
ix, iy, iw, ih = (float(v) for v in m.groups()[:4])
png = base64.b64decode(m.group(5))
w, h = struct.unpack('>II', png[16:24])
print("image %d %d" % (w, h))
for g in re.split(r'<g id="gnuplot_plot_\d+"', svg)[1:]:
    titles = re.findall(r'<text>([^<]*)</text>', g)
    if not titles:
        continue
    xs, ys = [], []
    # the group's own line is its first path (grid and axes drawn in
    # front may follow in the last group)
    for d in re.findall(r"d='([^']*)'", g)[:1]:
        for x, y in re.findall(r'([\d.]+),([\d.]+)', d):
            x, y = float(x), float(y)
            if ix <= x <= ix + iw and iy - 1 <= y <= iy + ih + 1:
                xs.append((x - ix) / iw * xmax)
                ys.append((y - iy) / ih)
    if xs:
        print("line\t%s\t%.3f\t%.3f\t%.3f\t%.3f\t%d" % (
            titles[0], min(xs), max(xs), min(ys), max(ys), len(xs)))
    else:
        print("line\t%s\tnone" % titles[0])
