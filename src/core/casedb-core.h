/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "casedb-backup.h"
#include "casedb-case.h"
#include "casedb-case-list-model.h"
#include "casedb-case-row.h"
#include "casedb-crypto.h"
#include "casedb-demo.h"
#include "casedb-error.h"
#include "casedb-export.h"
#include "casedb-import.h"
#include "casedb-keyslots.h"
#include "casedb-package.h"
#include "casedb-roles.h"
#include "casedb-secure.h"
#include "casedb-store.h"
#include "casedb-summary.h"
#include "casedb-transfer.h"

G_BEGIN_DECLS

/* Initialises libgcrypt (secure memory) and gettext for the core.  Call once
 * at start, before anything else. */
gboolean casedb_core_init (GError **error);

G_END_DECLS
