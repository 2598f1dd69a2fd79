// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The grating tracker, not told the width, on reflections the project's
 * generator does not make (tests/unit/fbg-shapes.h: Gaussian, Lorentzian,
 * flat-topped, sinc^2, asymmetric, 3-80 px at 8 pm a pixel, 16- and
 * 32-bit readings): per case the width it found, RMS error over the
 * Cramer-Rao bound of the true shape, bias, error over stated uncertainty
 * (honest: 0.7-1.4) and the statuses, told the light under the
 * reflections is flat; and the same two figures not told (the source
 * learned as the grating moves, its possible shift counted until then).
 */
#include <stdio.h>

#include "cellsense.h"
#include "fbg-shapes.h"

int main(void)
{
	printf("%-10s %4s %3s %3s | %7s %7s %9s %7s | %5s %6s %4s | "
	       "%s\n", "shape", "FWHM", "SNR", "bit", "found", "rms/crb",
	       "bias px", "err/unc", "ok", "misfit", "lost",
	       "not told: err/unc rms/crb");
	for (size_t i = 0; i < SH_NCASES; i++) {
		const struct sh_case *c = &sh_cases[i];
		struct sh_stats s = sh_run(c, 3072, 1024, 5, 1);
		struct sh_stats d = sh_run(c, 3072, 1024, 5, 0);

		printf("%-10s %4.0f %3.0f %3d | %7.1f %7.2f %+9.4f %7.2f | "
		       "%5d %6d %4d | %7.2f %7.2f\n", c->name, c->fwhm_px,
		       c->snr_db, c->bits, s.width_px, s.rms / s.crb, s.bias,
		       s.z_rms, s.status[CS_FBG_OK], s.status[CS_FBG_MISFIT],
		       s.status[CS_FBG_LOST], d.z_rms, d.rms / d.crb);
	}
	return 0;
}
