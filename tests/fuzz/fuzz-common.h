/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "casedb-core.h"

G_BEGIN_DECLS

int      LLVMFuzzerTestOneInput (const guint8 *data, size_t size);
void     fuzz_init              (void);
guint32  fuzz_be32              (const guint8 *p);
gboolean fuzz_slots_cheap       (CasedbKeyslots *slots);

G_END_DECLS
