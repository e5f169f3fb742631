/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "casedb-core"

#include "config.h"

#include "casedb-error.h"

G_DEFINE_QUARK (casedb-error-quark, casedb_error)
