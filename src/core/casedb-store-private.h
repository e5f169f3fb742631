/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "casedb-store.h"

G_BEGIN_DECLS

#ifdef CASEDB_ENABLE_BENCHMARK
/* The benchmark's plain SQLite twin: same schema, same sealing, no SQLCipher
 * key.  Compiled only into the benchmark's own copy of the core
 * (libcasedb-core-bench); the app, casedb-tool and the tests cannot call it. */
CasedbStore *casedb_store_create_plain_for_benchmark (const char *db_path, GError **error);
#endif

G_END_DECLS
