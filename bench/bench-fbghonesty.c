// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The grating tracker on reflections of another shape than it assumes
 * (tests/unit/fbg-mismatch.h): per case and SNR, its error, bias, stated
 * uncertainty, and the RMS of error over uncertainty (honest: 0.7-1.4),
 * with the share of spectra it flagged (a status other than ok).
 */
#include <stdio.h>

#include "cellsense.h"
#include "fbg-mismatch.h"

int main(void)
{
	static const double snr[] = { 20, 30, 40 };

	printf("%-13s %4s | %9s %9s %9s | %8s %7s | %s\n", "case", "SNR",
	       "rms px", "bias px", "sigma px", "err/unc", "flagged",
	       "not told the source: err/unc");
	for (size_t c = 0; c < MM_NCASES; c++)
		for (size_t k = 0; k < sizeof(snr) / sizeof(snr[0]); k++) {
			struct mm_stats s = mm_run(&mm_cases[c], snr[k], 250.0,
						   3072, 3072, 31, 1);
			struct mm_stats d = mm_run(&mm_cases[c], snr[k], 250.0,
						   3072, 3072, 31, 0);

			printf("%-13s %4.0f | %9.5f %+9.5f %9.5f | %8.2f "
			       "%6.1f%% | %.2f\n", mm_cases[c].name, snr[k],
			       s.rms, s.bias, s.sigma, s.z_rms,
			       100.0 * s.flagged / (s.n ? s.n : 1), d.z_rms);
		}
	printf("err/unc: RMS of error / stated uncertainty over the values "
	       "given (ok or misfit); flagged: spectra not ok; told the "
	       "source's slope at the grating (--source-slope).\n");
	return 0;
}
