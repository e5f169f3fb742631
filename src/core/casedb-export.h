/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "casedb-package.h"
#include "casedb-store.h"

G_BEGIN_DECLS

/* Every package that leaves the office (UN package, backup, transfer) is
 * sealed with a passphrase of at least this many characters. */
#define CASEDB_PASSPHRASE_MIN_LEN 12

/* INVALID_INPUT unless @passphrase is long enough for a new package. */
gboolean casedb_export_check_passphrase (const char *passphrase, GError **error);

/*
 * The coded case export for the UN focal point (docs/formats.md, "cases.json"):
 * non-draft cases whose consent allows share_un, coded fields only — case
 * and victim codes, dates, region, violations and subtypes, perpetrator
 * codes, victims' sex and age, verification, the coded summary.  Never the
 * office reference, the source code, code-book names or notes.
 *
 * With @with_identities (a supervisor's explicit choice; READ_IDENTITY),
 * the cases whose consent ALSO allows share_identity carry the victims'
 * names, the location detail and the narrative; reading them is audited as
 * an identity read.  Other cases stay coded.
 */
typedef struct {
  guint n_cases;             /* cases in the package */
  guint n_with_identities;   /* of which carry identities */
  guint n_no_consent;        /* left out: consent does not allow sharing with the UN */
  guint n_drafts;            /* left out: drafts */
} CasedbUnExportResult;

/* Writes the package (kind UN_EXPORT, one entry "cases.json") to @path
 * (created 0600; EXISTS if it exists).  EXPORT permission.  @params NULL
 * for the default Argon2id cost.  One "export" audit entry. */
gboolean casedb_export_un (CasedbStore *store, const char *path, const char *passphrase,
                           gboolean with_identities, const CasedbKdfParams *params,
                           CasedbUnExportResult *result, GError **error);

G_END_DECLS
