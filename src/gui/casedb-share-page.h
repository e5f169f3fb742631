/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "casedb-store.h"

G_BEGIN_DECLS

#define CASEDB_TYPE_SHARE_PAGE (casedb_share_page_get_type ())
G_DECLARE_FINAL_TYPE (CasedbSharePage, casedb_share_page, CASEDB, SHARE_PAGE, AdwBin)

/* Whether a role has any section of the page (EDIT_CASES, EXPORT or BACKUP). */
gboolean   casedb_share_page_is_allowed     (CasedbStore     *store);
GtkWidget *casedb_share_page_new            (CasedbStore     *store);
void       casedb_share_page_refresh        (CasedbSharePage *self);
/* What the file chooser does once a CSV file is picked: parses it and shows
 * the preview; stores nothing. */
void       casedb_share_page_preview_import (CasedbSharePage *self,
                                             GFile           *file);
/* What the passphrase dialog does for a received transfer package: opens
 * it and shows what merging would do; stores nothing.  Errors are shown. */
gboolean   casedb_share_page_open_transfer  (CasedbSharePage *self,
                                             const char      *path,
                                             const char      *passphrase);

G_END_DECLS
