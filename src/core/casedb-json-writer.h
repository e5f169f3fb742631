/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * A small JSON writer for payloads that hold identities (UN packages,
 * transfers, kept conflicts).  Unlike JsonGenerator it leaves no copy
 * behind: the buffer is wiped whenever it grows and when it is freed.
 * Output is UTF-8, pretty-printed with two-space indents; invalid UTF-8 in a
 * string is written as U+FFFD.  Internal to the core.
 */
typedef struct _CasedbJsonWriter CasedbJsonWriter;

CasedbJsonWriter *casedb_json_writer_new          (void);
void              casedb_json_writer_free         (CasedbJsonWriter *self);   /* wipes */
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CasedbJsonWriter, casedb_json_writer_free)

void              casedb_json_writer_begin_object (CasedbJsonWriter *self);
void              casedb_json_writer_end_object   (CasedbJsonWriter *self);
void              casedb_json_writer_begin_array  (CasedbJsonWriter *self);
void              casedb_json_writer_end_array    (CasedbJsonWriter *self);
/* Inside an object: names the next value. */
void              casedb_json_writer_member       (CasedbJsonWriter *self, const char *name);
void              casedb_json_writer_string       (CasedbJsonWriter *self, const char *value);  /* NULL → null */
void              casedb_json_writer_int          (CasedbJsonWriter *self, gint64 value);
void              casedb_json_writer_bool         (CasedbJsonWriter *self, gboolean value);
void              casedb_json_writer_null         (CasedbJsonWriter *self);
/* Shorthands: member + value. */
void              casedb_json_writer_member_string (CasedbJsonWriter *self, const char *name,
                                                    const char *value);
void              casedb_json_writer_member_int    (CasedbJsonWriter *self, const char *name,
                                                    gint64 value);
void              casedb_json_writer_member_bool   (CasedbJsonWriter *self, const char *name,
                                                    gboolean value);

/* The document so far, with a final newline once the outermost value is
 * closed.  (transfer none) valid until the writer changes or is freed. */
const guint8     *casedb_json_writer_get_data     (CasedbJsonWriter *self, gsize *len);

G_END_DECLS
