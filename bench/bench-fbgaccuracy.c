// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Accuracy of the grating tracker against the Cramer-Rao bound, over SNRs
 * from 10 to 40 dB, Gaussian and side-lobed gratings, read + shot noise and
 * a sloped source, every sub-pixel position (the grating drifts slowly
 * through them). Baseline in the same run: a plain unweighted least-squares
 * Gaussian fit of every spectrum (cs_fbgpeak_finder) on the same data.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "cellsense.h"
#include "fbg-crb.h"

#define HALF 8
#define WARM 3072
#define TRIALS 6144

struct acc {
	double sum, sum2, pb[10], pn[10];
	int n;
};

static void add(struct acc *a, double e, double truth)
{
	int ph = (int)((truth - floor(truth)) * 10);

	a->sum += e;
	a->sum2 += e * e;
	a->pb[ph] += e;
	a->pn[ph] += 1;
	a->n++;
}

static double worst(const struct acc *a)
{
	double w = 0;

	for (int ph = 0; ph < 10; ph++)
		if (a->pn[ph] > 0 && fabs(a->pb[ph] / a->pn[ph]) > fabs(w))
			w = a->pb[ph] / a->pn[ph];
	return w;
}

int main(void)
{
	static const char *const shape_name[] = { "gaussian", "side-lobed" };
	struct cs_wavescale ws;
	double y[CRB_NPIX];

	cs_wavescale_parse("1510,0.167,-0.000001", &ws, NULL);
	printf("%-10s %4s | %9s %9s %9s | %9s %6s | %9s %6s\n", "shape", "SNR",
	       "bound px", "bias", "worst", "tracker", "ratio", "plain LS",
	       "ratio");
	for (int shape = 0; shape < 2; shape++) {
		for (double snr = 10; snr <= 40; snr += 5) {
			const double px = 250.0, rate = 1.0 / 1024;
			struct crb_case k = crb_synth(shape, snr, px, 21);
			struct cs_fbg_grating g = { .name = "g",
						    .halfwidth_nm = 1.5 };
			struct cs_fbgtracker_config tc = {
				.npix = CRB_NPIX, .scale = ws,
				.saturation = 1e12, .min_snr = 3,
				.fwhm_px = 3, .learn_shape = 1,
				.ngratings = 1, .gratings = &g,
			};
			struct cs_fbgpeak_config pc = {
				.min_snr = 2, .saturation = 1e12,
				.fwhm_guess = 3,
			};
			struct cs_fbgtracker *t;
			struct cs_fbgpeak_finder *pf;
			struct acc at = { 0 }, ap = { 0 };
			double crb2 = 0, crb, rt, rp;

			g.centre_nm = cs_wavescale_eval(&ws, px);
			t = cs_fbgtracker_create(&tc);
			pf = cs_fbgpeak_finder_create(&pc);
			for (int i = 0; i < WARM + TRIALS; i++) {
				double truth = px + rate * i;
				struct cs_fbg_result r;
				struct cs_fbgpeak pk;
				int c = (int)lround(truth);

				cs_fbgsynth_set_grating(k.q, 0,
					cs_wavescale_eval(&ws, truth), 0.5);
				cs_fbgsynth_execute(k.q, 1, y);
				cs_fbgtracker_execute(t, y, 0, &r);
				if (i < WARM)
					continue;
				if (r.status == CS_FBG_OK)
					add(&at, r.position - truth, truth);
				if (!cs_fbgpeak_finder_execute(pf, y, CRB_NPIX,
							       c - 3, c + 3,
							       NAN, &pk))
					add(&ap, pk.position - truth, truth);
			}
			for (int ph = 0; ph < 10; ph++)
				crb2 += pow(crb_centre(&k, px + 0.05 + ph / 10.0,
						       HALF), 2);
			crb = sqrt(crb2 / 10);
			rt = sqrt(at.sum2 / at.n);
			rp = sqrt(ap.sum2 / ap.n);
			printf("%-10s %4.0f | %9.5f %+9.5f %+9.5f | %9.5f %6.3f "
			       "| %9.5f %6.3f%s\n", shape_name[shape], snr,
			       crb, at.sum / at.n, worst(&at), rt, rt / crb,
			       rp, rp / crb,
			       at.n < TRIALS ? "  (some spectra lost)" : "");
			cs_fbgsynth_destroy(k.q);
			cs_fbgtracker_destroy(t);
			cs_fbgpeak_finder_destroy(pf);
		}
	}
	printf("SNR: peak amplitude over the noise at its top (80%% of the "
	       "variance shot noise).\nbias: mean error; worst: the largest "
	       "mean error of the ten sub-pixel phases (%d spectra each).\n",
	       TRIALS / 10);
	return 0;
}
