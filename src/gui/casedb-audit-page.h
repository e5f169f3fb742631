/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "casedb-store.h"

G_BEGIN_DECLS

#define CASEDB_TYPE_AUDIT_PAGE (casedb_audit_page_get_type ())
G_DECLARE_FINAL_TYPE (CasedbAuditPage, casedb_audit_page, CASEDB, AUDIT_PAGE, AdwBin)

GtkWidget *casedb_audit_page_new     (CasedbStore *store);
void       casedb_audit_page_refresh (CasedbAuditPage *self);

G_END_DECLS
