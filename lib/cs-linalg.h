/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Internal to the library (not installed, not exported): the small dense
 * solve the peak fits need, their normal equations being symmetric
 * positive definite.
 */
#ifndef CS_LINALG_H
#define CS_LINALG_H

#define CS_LINALG_MAX 16	/* unknowns at most */

/*
 * Solve A x = b by Cholesky, A the n x n symmetric positive definite matrix
 * at @a, row by row (a[i * n + j]; only the lower triangle is read). With
 * @inv_diag not NULL, the diagonal of A^-1 (the parameters' variances up to
 * a scale) goes there. 0, or -1 when A is not positive definite or n is out
 * of range.
 */
int cs_solve_spd(int n, const double *a, const double *b, double *x,
		 double *inv_diag);

#endif
