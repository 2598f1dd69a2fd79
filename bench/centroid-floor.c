// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The floor for fbgtrack's speed: a bare single-pass centroid per grating
 * window over the same spectra, reading them the same way, printing
 * nothing. Usage: centroid-floor NPIX FILE LO1 HI1 [LO2 HI2 ...]
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	size_t npix, frame, have = 0;
	unsigned char *buf;
	int fd, nw;
	long lo[64], hi[64];
	double sink = 0;
	unsigned long spectra = 0;

	if (argc < 5 || argc % 2 == 0)
		return 2;
	npix = strtoul(argv[1], NULL, 10);
	nw = (argc - 3) / 2;
	for (int i = 0; i < nw && i < 64; i++) {
		lo[i] = strtol(argv[3 + 2 * i], NULL, 10);
		hi[i] = strtol(argv[4 + 2 * i], NULL, 10);
	}
	frame = npix * 2;
	buf = malloc(1 << 20);
	fd = open(argv[2], O_RDONLY);
	if (!buf || fd < 0)
		return 1;
	for (;;) {
		ssize_t n = read(fd, buf + have, (1 << 20) - have);
		size_t off = 0;

		if (n <= 0)
			break;
		have += (size_t)n;
		for (; off + frame <= have; off += frame, spectra++) {
			const unsigned char *p = buf + off;

			for (int w = 0; w < nw; w++) {
				double s = 0, sx = 0;

				for (long i = lo[w]; i <= hi[w]; i++) {
					double v = p[2 * i] | p[2 * i + 1] << 8;

					s += v;
					sx += v * i;
				}
				sink += sx / s;
			}
		}
		for (size_t i = off; i < have; i++)
			buf[i - off] = buf[i];
		have -= off;
	}
	fprintf(stderr, "centroid-floor: %lu spectra (%g)\n", spectra, sink);
	return 0;
}
