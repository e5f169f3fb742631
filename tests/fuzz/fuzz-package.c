/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "casedb-fuzz"

#include "config.h"

#include "casedb-core.h"
#include "fuzz-common.h"

/* The package reader (UN packages, backups, transfer bundles). */
int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = NULL;

  fuzz_init ();
  /* Argon2id cost lives in the header (bytes 12-23): keep it cheap so that
   * the fuzzer spends its time in the parser. */
  if (size >= 24 && (fuzz_be32 (data + 12) > 2 || fuzz_be32 (data + 16) > 256 ||
                     fuzz_be32 (data + 20) > 1))
    return 0;
  entries = casedb_package_read_data (data, size, CASEDB_PACKAGE_TRANSFER, "fuzz-password", &error);
  g_assert_true ((entries == NULL) != (error == NULL));
  return 0;
}
