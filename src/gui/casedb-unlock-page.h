/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "casedb-store.h"

G_BEGIN_DECLS

/*
 * CasedbUnlockPage: choose, create and unlock a database.  Emits
 * "unlocked" (CasedbStore *store) once casedb_store_open() succeeded in a
 * worker thread; a handler that wants the store takes a reference.
 */
#define CASEDB_TYPE_UNLOCK_PAGE (casedb_unlock_page_get_type ())
G_DECLARE_FINAL_TYPE (CasedbUnlockPage, casedb_unlock_page, CASEDB, UNLOCK_PAGE, AdwBin)

GtkWidget  *casedb_unlock_page_new                (void);
void        casedb_unlock_page_set_path           (CasedbUnlockPage *self,
                                                   const char       *path);
const char *casedb_unlock_page_get_path           (CasedbUnlockPage *self);
/* Shows the demo accounts (casedb_demo_get_users). */
void        casedb_unlock_page_set_demo           (CasedbUnlockPage *self,
                                                   gboolean          demo);
gboolean    casedb_unlock_page_get_demo           (CasedbUnlockPage *self);
/* TRUE while a key derivation runs in the worker thread. */
gboolean    casedb_unlock_page_get_busy           (CasedbUnlockPage *self);
/* Clears the password entry and the error message. */
void        casedb_unlock_page_reset              (CasedbUnlockPage *self);
void        casedb_unlock_page_show_error         (CasedbUnlockPage *self,
                                                   const char       *message);
/* (nullable) the error shown, or NULL when none is. */
const char *casedb_unlock_page_get_error          (CasedbUnlockPage *self);
/* The translated message for an error of casedb_store_open() on @path.
 * (transfer full) */
char       *casedb_unlock_page_describe_error     (const GError     *error,
                                                   const char       *path);
/* (transfer none) the Unlock button, for the window's default widget. */
GtkWidget  *casedb_unlock_page_get_default_widget (CasedbUnlockPage *self);
void        casedb_unlock_page_focus              (CasedbUnlockPage *self);

G_END_DECLS
