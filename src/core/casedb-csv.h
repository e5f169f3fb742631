/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * CasedbCsvReader: an RFC 4180 reader over a UTF-8 buffer in memory.
 *
 * Fields are separated by commas; a field may be quoted with '"', and a
 * quoted field may hold commas, line breaks and doubled quotes ("").
 * Records end with CRLF, LF or a lone CR.  A UTF-8 byte order mark at the
 * start is skipped, empty lines between records are skipped, and a quote
 * inside an unquoted field is an error (the file is probably misaligned).
 *
 * Decoded fields live in libgcrypt secure memory (an import file holds
 * identities) and are wiped when the next record is read or the reader is
 * freed.  The reader does not copy @data: keep it alive and wipe it after.
 */
typedef struct _CasedbCsvReader CasedbCsvReader;

/* (transfer full) */
CasedbCsvReader *casedb_csv_reader_new          (const char      *data,
                                                 gsize            len);
void             casedb_csv_reader_free         (CasedbCsvReader *self);

/* Reads the next record.  Returns TRUE when there is one; FALSE at the end
 * of the data (@error unset) or on a problem (@error set,
 * CASEDB_ERROR_INVALID_INPUT, the message says what is wrong but not where:
 * casedb_csv_reader_get_line() gives the line).  After an error the reader
 * stays at the end: the rest of the data cannot be trusted. */
gboolean         casedb_csv_reader_next         (CasedbCsvReader *self,
                                                 GError         **error);

/* Physical line (1-based) where the current record starts; after an error,
 * the line of the problem (an unclosed quote: the line where it opened;
 * bad UTF-8: the line of the bad byte). */
guint            casedb_csv_reader_get_line     (CasedbCsvReader *self);
guint            casedb_csv_reader_get_n_fields (CasedbCsvReader *self);
/* (transfer none) NUL-terminated, in secure memory, valid until the next
 * call to casedb_csv_reader_next() or casedb_csv_reader_free(). */
const char      *casedb_csv_reader_get_field    (CasedbCsvReader *self,
                                                 guint            index);
gsize            casedb_csv_reader_get_field_len (CasedbCsvReader *self,
                                                  guint            index);

/* Appends @value to @out, quoted as RFC 4180 requires (only when it holds a
 * comma, a quote, CR or LF, or starts or ends with a space). */
void             casedb_csv_append_field        (GString         *out,
                                                 const char      *value);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CasedbCsvReader, casedb_csv_reader_free)

G_END_DECLS
