/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "casedb-fuzz"

#include "config.h"

#include "casedb-core.h"
#include "fuzz-common.h"

/* The key-slot file parser: any bytes give a CasedbKeyslots or a DAMAGED error. */
int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CasedbKeyslots) slots = NULL;
  g_autoptr(CasedbKeyring) keys = NULL;

  fuzz_init ();
  slots = casedb_keyslots_load_from_data ((const char *) data, size, "fuzz.keys", &error);
  if (slots == NULL)
    {
      g_assert_true (error->code == CASEDB_ERROR_DAMAGED);
      return 0;
    }
  /* The seeds use the cheap test cost; skip forged costs that would only
   * measure Argon2id. */
  if (fuzz_slots_cheap (slots))
    keys = casedb_keyslots_unlock (slots, "fuzz", "fuzz-password", FALSE, NULL, NULL);
  return 0;
}
