/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "casedb-package.h"
#include "casedb-store.h"

G_BEGIN_DECLS

/*
 * Field office → main office.  The field office writes the cases created or
 * changed since its last transfer package (or all of them) as a package of
 * kind TRANSFER: full cases WITH identities, the code-book names of the
 * perpetrator and source codes they use, and its database id
 * (docs/formats.md, "transfer.json").  The main office merges them by case
 * uuid (see casedb_store_merge_cases): a case changed on both sides since
 * the last transfer becomes a conflict and is never overwritten silently.
 *
 * Every step needs the EXPORT permission (supervisors): a package holding
 * every identity of the office is a supervisor's decision, like a UN package
 * with identities.  Deletions are not transferred.
 */
typedef struct _CasedbTransferBundle CasedbTransferBundle;

/* Writes the package to @path (created 0600; EXISTS if it exists).  @all:
 * every case instead of those changed since the last package (use it when a
 * package was lost).  EXPORT and READ_IDENTITY; audited ("identity_read"
 * for the batch and "transfer_export").  @params NULL for the default cost. */
gboolean              casedb_transfer_export        (CasedbStore *store, const char *path,
                                                     const char *passphrase, gboolean all,
                                                     const CasedbKdfParams *params,
                                                     guint *n_cases, GError **error);

/* Opens and parses a package (WRONG_PASSWORD, DAMAGED, INVALID_INPUT). */
CasedbTransferBundle *casedb_transfer_bundle_open   (const char *path, const char *passphrase,
                                                     GError **error);
void                  casedb_transfer_bundle_free   (CasedbTransferBundle *bundle);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CasedbTransferBundle, casedb_transfer_bundle_free)
const char           *casedb_transfer_bundle_get_sender  (CasedbTransferBundle *bundle);  /* database id */
const char           *casedb_transfer_bundle_get_created (CasedbTransferBundle *bundle);  /* ISO 8601 */
guint                 casedb_transfer_bundle_get_n_cases (CasedbTransferBundle *bundle);

/* What happens (preview) or happened (import) to one case of a bundle. */
typedef struct {
  char              *uuid;
  char              *sender_code;   /* the case code at the sending office */
  char              *code;          /* the case code here; NULL: new (in a preview) or deleted here */
  CasedbMergeAction  action;
} CasedbTransferItem;
void                  casedb_transfer_item_free     (CasedbTransferItem *item);

/* The GUI preview: decides every case without storing anything.
 * (transfer full) (element-type CasedbTransferItem) */
GPtrArray            *casedb_transfer_preview       (CasedbStore *store, CasedbTransferBundle *bundle,
                                                     GError **error);
/* Merges the bundle in one transaction (perpetrator and source codes are
 * first mapped onto this database's code book by their names).  Audited.
 * (transfer full) (element-type CasedbTransferItem) */
GPtrArray            *casedb_transfer_import        (CasedbStore *store, CasedbTransferBundle *bundle,
                                                     GError **error);

/* Conflicts: the incoming version kept for @uuid from @peer (NULL: the only
 * one), with identities; audited as an identity read. (transfer full) */
CasedbCase           *casedb_transfer_get_conflict  (CasedbStore *store, const char *uuid,
                                                     const char *peer, GError **error);
/* @keep_theirs FALSE keeps this database's version (the next change from
 * that office is a conflict again); TRUE replaces it with the kept one. */
gboolean              casedb_transfer_resolve       (CasedbStore *store, const char *uuid,
                                                     const char *peer, gboolean keep_theirs,
                                                     GError **error);

const char           *casedb_merge_action_to_string (CasedbMergeAction action);   /* "new" … */

G_END_DECLS
