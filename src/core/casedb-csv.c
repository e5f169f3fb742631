/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "casedb-csv"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "casedb-csv.h"
#include "casedb-error.h"
#include "casedb-secure.h"

struct _CasedbCsvReader
{
  const char *data;
  gsize       len;
  gsize       pos;
  guint       line;        /* physical line at pos */

  guint       record_line;

  /* Decoded fields of the current record, each NUL-terminated, in secure
   * memory because an import file carries names of children. */
  char       *buf;
  gsize       buf_len;
  gsize       buf_size;
  GArray     *offsets;     /* gsize: start of each field in buf */
};

CasedbCsvReader *
casedb_csv_reader_new (const char *data, gsize len)
{
  CasedbCsvReader *self;

  g_return_val_if_fail (data != NULL || len == 0, NULL);

  self = g_new0 (CasedbCsvReader, 1);
  self->data = data;
  self->len = len;
  self->line = 1;
  self->offsets = g_array_new (FALSE, FALSE, sizeof (gsize));

  if (len >= 3 && memcmp (data, "\xEF\xBB\xBF", 3) == 0)
    self->pos = 3;

  return self;
}

void
casedb_csv_reader_free (CasedbCsvReader *self)
{
  if (self == NULL)
    return;
  casedb_secure_free (self->buf);
  g_array_unref (self->offsets);
  g_free (self);
}

static void
buf_reserve (CasedbCsvReader *self, gsize extra)
{
  gsize need = self->buf_len + extra;

  if (need <= self->buf_size)
    return;
  self->buf_size = MAX (MAX (self->buf_size * 2, need), 256);
  self->buf = casedb_secure_realloc (self->buf, self->buf_size);
}

static void
buf_append (CasedbCsvReader *self, const char *s, gsize n)
{
  buf_reserve (self, n);
  memcpy (self->buf + self->buf_len, s, n);
  self->buf_len += n;
}

static void
clear_record (CasedbCsvReader *self)
{
  if (self->buf != NULL)
    casedb_secure_wipe (self->buf, self->buf_len);
  self->buf_len = 0;
  g_array_set_size (self->offsets, 0);
}

static gboolean
fail (CasedbCsvReader *self, guint line, GError **error, const char *message)
{
  clear_record (self);
  self->record_line = line;
  self->pos = self->len;
  g_set_error_literal (error, CASEDB_ERROR, CASEDB_ERROR_INVALID_INPUT, message);
  return FALSE;
}

static gboolean
is_line_break (char c)
{
  return c == '\n' || c == '\r';
}

/* Moves over one line break at pos (CRLF, LF or CR). */
static void
skip_line_break (CasedbCsvReader *self)
{
  if (self->data[self->pos] == '\r' && self->pos + 1 < self->len
      && self->data[self->pos + 1] == '\n')
    self->pos++;
  self->pos++;
  self->line++;
}

static gboolean
validate_utf8 (CasedbCsvReader *self, gsize start, GError **error)
{
  const char *bad = NULL;
  guint line = self->record_line;

  if (g_utf8_validate (self->data + start, self->pos - start, &bad))
    return TRUE;

  for (const char *p = self->data + start; p < bad; p++)
    {
      if (*p == '\n' || (*p == '\r' && (p + 1 >= bad || p[1] != '\n')))
        line++;
    }
  return fail (self, line, error,
               _("The text is not valid UTF-8 (or contains a NUL byte); save the file as UTF-8 CSV"));
}

gboolean
casedb_csv_reader_next (CasedbCsvReader *self, GError **error)
{
  gsize start;
  gboolean end_of_record = FALSE;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  clear_record (self);

  while (self->pos < self->len && is_line_break (self->data[self->pos]))
    skip_line_break (self);
  if (self->pos >= self->len)
    return FALSE;

  start = self->pos;
  self->record_line = self->line;

  while (!end_of_record)
    {
      gsize offset = self->buf_len;

      g_array_append_val (self->offsets, offset);

      if (self->pos < self->len && self->data[self->pos] == '"')
        {
          guint open_line = self->line;
          gboolean closed = FALSE;

          self->pos++;
          while (self->pos < self->len)
            {
              const char *p = self->data + self->pos;
              const char *quote = memchr (p, '"', self->len - self->pos);
              gsize span = quote != NULL ? (gsize) (quote - p) : self->len - self->pos;

              for (gsize i = 0; i < span; i++)
                {
                  if (p[i] == '\n' || (p[i] == '\r' && (i + 1 >= span || p[i + 1] != '\n')))
                    self->line++;
                }
              buf_append (self, p, span);
              self->pos += span;
              if (quote == NULL)
                break;

              if (self->pos + 1 < self->len && self->data[self->pos + 1] == '"')
                {
                  buf_append (self, "\"", 1);
                  self->pos += 2;
                  continue;
                }
              self->pos++;
              closed = TRUE;
              break;
            }

          if (!closed)
            return fail (self, open_line, error,
                         _("A quoted field is not closed: a quote (\") is missing"));

          if (self->pos < self->len && self->data[self->pos] != ','
              && !is_line_break (self->data[self->pos]))
            return fail (self, self->line, error,
                         _("Unexpected text after the closing quote of a field (a quote inside a quoted field must be doubled)"));
        }
      else
        {
          gsize field_start = self->pos;

          while (self->pos < self->len)
            {
              char c = self->data[self->pos];

              if (c == ',' || is_line_break (c))
                break;
              if (c == '"')
                return fail (self, self->line, error,
                             _("A quote (\") inside a field that does not start with a quote; quote the whole field and double the inner quote"));
              self->pos++;
            }
          buf_append (self, self->data + field_start, self->pos - field_start);
        }

      buf_append (self, "", 1);

      if (self->pos >= self->len)
        end_of_record = TRUE;
      else if (self->data[self->pos] == ',')
        {
          self->pos++;
          /* A comma just before the end of the data leaves one empty field. */
          if (self->pos >= self->len)
            {
              offset = self->buf_len;
              g_array_append_val (self->offsets, offset);
              buf_append (self, "", 1);
              end_of_record = TRUE;
            }
        }
      else
        {
          if (!validate_utf8 (self, start, error))
            return FALSE;
          skip_line_break (self);
          return TRUE;
        }
    }

  return validate_utf8 (self, start, error);
}

guint
casedb_csv_reader_get_line (CasedbCsvReader *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->record_line;
}

guint
casedb_csv_reader_get_n_fields (CasedbCsvReader *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->offsets->len;
}

const char *
casedb_csv_reader_get_field (CasedbCsvReader *self, guint index)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < self->offsets->len, NULL);
  return self->buf + g_array_index (self->offsets, gsize, index);
}

gsize
casedb_csv_reader_get_field_len (CasedbCsvReader *self, guint index)
{
  gsize start, end;

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (index < self->offsets->len, 0);

  start = g_array_index (self->offsets, gsize, index);
  if (index + 1 < self->offsets->len)
    end = g_array_index (self->offsets, gsize, index + 1);
  else
    end = self->buf_len;
  return end - start - 1;
}

void
casedb_csv_append_field (GString *out, const char *value)
{
  gsize len;

  g_return_if_fail (out != NULL);

  if (value == NULL)
    return;
  len = strlen (value);
  if (strpbrk (value, ",\"\r\n") == NULL
      && (len == 0 || (value[0] != ' ' && value[len - 1] != ' ')))
    {
      g_string_append_len (out, value, len);
      return;
    }

  g_string_append_c (out, '"');
  for (const char *p = value; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}
