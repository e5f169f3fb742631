/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "casedb-fuzz"

#include "config.h"

#include "fuzz-common.h"

void
fuzz_init (void)
{
  static gboolean done;

  if (!done)
    {
      g_assert_true (casedb_core_init (NULL));
      done = TRUE;
    }
}

guint32
fuzz_be32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

gboolean
fuzz_slots_cheap (CasedbKeyslots *slots)
{
  CasedbKdfParams params;

  /* Forged costs would only measure Argon2id (or exhaust memory). */
  return casedb_keyslots_get_kdf_params (slots, "fuzz", &params) &&
         params.iterations <= 2 && params.memory_kib <= 256;
}
