/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define CASEDB_TYPE_PREFERENCES_WINDOW (casedb_preferences_window_get_type ())
G_DECLARE_FINAL_TYPE (CasedbPreferencesWindow, casedb_preferences_window, CASEDB, PREFERENCES_WINDOW, AdwPreferencesWindow)

GtkWidget *casedb_preferences_window_new (void);

G_END_DECLS
