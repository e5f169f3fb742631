/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "casedb-core"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "casedb-core.h"

gboolean
casedb_core_init (GError **error)
{
  static gboolean done;

  if (done)
    return TRUE;

  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");

  if (!casedb_crypto_init (error))
    return FALSE;

  done = TRUE;
  return TRUE;
}
