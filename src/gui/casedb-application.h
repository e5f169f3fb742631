/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define CASEDB_TYPE_APPLICATION (casedb_application_get_type ())
G_DECLARE_FINAL_TYPE (CasedbApplication, casedb_application, CASEDB, APPLICATION, AdwApplication)

CasedbApplication *casedb_application_new           (void);
/* Where --demo keeps the demo database. (transfer full) */
char              *casedb_application_dup_demo_path (void);

G_END_DECLS
