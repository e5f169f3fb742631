/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "casedb-store.h"

G_BEGIN_DECLS

#define CASEDB_TYPE_STATISTICS_PAGE (casedb_statistics_page_get_type ())
G_DECLARE_FINAL_TYPE (CasedbStatisticsPage, casedb_statistics_page, CASEDB, STATISTICS_PAGE, AdwBin)

GtkWidget *casedb_statistics_page_new     (CasedbStore *store);
void       casedb_statistics_page_refresh (CasedbStatisticsPage *self);

G_END_DECLS
