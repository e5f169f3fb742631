/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "casedb-store.h"

G_BEGIN_DECLS

#define CASEDB_TYPE_USERS_PAGE (casedb_users_page_get_type ())
G_DECLARE_FINAL_TYPE (CasedbUsersPage, casedb_users_page, CASEDB, USERS_PAGE, AdwBin)

GtkWidget *casedb_users_page_new     (CasedbStore *store);
void       casedb_users_page_refresh (CasedbUsersPage *self);

G_END_DECLS
