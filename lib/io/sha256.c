// SPDX-License-Identifier: LGPL-2.1-or-later
/* SHA-256 of a file, through OpenSSL's EVP (libcrypto): the checksums a
 * run's sidecar records for its files. */
#include <errno.h>
#include <stdio.h>

#include <openssl/evp.h>

#include "cellsense.h"
#include "cellsense-run.h"

int cs_sha256_file(const char *path, char hex[65], uint64_t *bytes)
{
	unsigned char buf[65536], md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	EVP_MD_CTX *ctx;
	uint64_t total = 0;
	size_t n;
	FILE *f;
	int ret = 0;

	f = fopen(path, "rb");
	if (!f)
		return -errno;
	ctx = EVP_MD_CTX_new();
	if (!ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL)) {
		ret = -ENOMEM;
		goto out;
	}
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
		if (!EVP_DigestUpdate(ctx, buf, n)) {
			ret = -EIO;
			goto out;
		}
		total += n;
	}
	if (ferror(f)) {
		ret = -EIO;
		goto out;
	}
	if (!EVP_DigestFinal_ex(ctx, md, &mdlen) || mdlen != 32) {
		ret = -EIO;
		goto out;
	}
	for (unsigned int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	if (bytes)
		*bytes = total;
out:
	EVP_MD_CTX_free(ctx);
	fclose(f);
	return ret;
}
