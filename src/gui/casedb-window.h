/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "casedb-application.h"
#include "casedb-store.h"

G_BEGIN_DECLS

#define CASEDB_TYPE_WINDOW (casedb_window_get_type ())
G_DECLARE_FINAL_TYPE (CasedbWindow, casedb_window, CASEDB, WINDOW, AdwApplicationWindow)

CasedbWindow *casedb_window_new           (CasedbApplication *app);
/* Creates the demo database if needed (in a thread), then offers it on the
 * unlock page with the published demo accounts. */
void          casedb_window_open_demo     (CasedbWindow      *self);
/* Offers @path on the unlock page. */
void          casedb_window_set_database  (CasedbWindow      *self,
                                           const char        *path);
/* Shows the main view for an unlocked @store; the window owns it from now
 * on and closes it when it locks. */
void          casedb_window_set_store     (CasedbWindow      *self,
                                           CasedbStore       *store);
/* (transfer none) (nullable) the unlocked store. */
CasedbStore  *casedb_window_get_store     (CasedbWindow      *self);
/* Locks at once, without asking about unsaved changes (they are lost): closes
 * the store and destroys every widget that showed case data. */
void          casedb_window_lock          (CasedbWindow      *self);
/* (transfer none) */
GtkWidget    *casedb_window_get_unlock_page (CasedbWindow    *self);
/* (transfer none) (nullable) the case list while unlocked. */
GtkWidget    *casedb_window_get_case_list (CasedbWindow      *self);

G_END_DECLS
