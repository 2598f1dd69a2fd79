// SPDX-License-Identifier: LGPL-2.1-or-later
/* The small dense SPD solve shared by the peak finder and the tracker. */
#include <math.h>

#include "cs-linalg.h"

int cs_solve_spd(int n, const double *a, const double *b, double *x,
		 double *inv_diag)
{
	double l[CS_LINALG_MAX][CS_LINALG_MAX], y[CS_LINALG_MAX];
	double z[CS_LINALG_MAX];

	if (n < 1 || n > CS_LINALG_MAX)
		return -1;
	for (int i = 0; i < n; i++) {
		for (int j = 0; j <= i; j++) {
			double s = a[i * n + j];

			for (int k = 0; k < j; k++)
				s -= l[i][k] * l[j][k];
			if (i == j) {
				if (!(s > 1e-300))
					return -1;
				l[i][i] = sqrt(s);
			} else {
				l[i][j] = s / l[j][j];
			}
		}
	}
	for (int i = 0; i < n; i++) {
		double s = b[i];

		for (int k = 0; k < i; k++)
			s -= l[i][k] * y[k];
		y[i] = s / l[i][i];
	}
	for (int i = n - 1; i >= 0; i--) {
		double s = y[i];

		for (int k = i + 1; k < n; k++)
			s -= l[k][i] * x[k];
		x[i] = s / l[i][i];
	}
	if (!inv_diag)
		return 0;
	/* [A^-1]_jj = |L^-1 e_j|^2; L^-1 is lower triangular */
	for (int j = 0; j < n; j++) {
		inv_diag[j] = 0.0;
		for (int i = j; i < n; i++) {
			double s = i == j ? 1.0 : 0.0;

			for (int k = j; k < i; k++)
				s -= l[i][k] * z[k];
			z[i] = s / l[i][i];
			inv_diag[j] += z[i] * z[i];
		}
	}
	return 0;
}
