/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "casedb-json-writer"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "casedb-json-writer.h"
#include "casedb-secure.h"

#define MAX_DEPTH 32

struct _CasedbJsonWriter
{
  guint8   *data;
  gsize     len;
  gsize     cap;
  guint     depth;
  gboolean  empty[MAX_DEPTH];   /* no element yet at this level */
  gboolean  after_member;       /* a member name waits for its value */
};

CasedbJsonWriter *
casedb_json_writer_new (void)
{
  CasedbJsonWriter *self = g_new0 (CasedbJsonWriter, 1);

  self->cap = 4096;
  self->data = g_malloc (self->cap);
  return self;
}

void
casedb_json_writer_free (CasedbJsonWriter *self)
{
  if (self == NULL)
    return;
  casedb_secure_wipe (self->data, self->cap);
  g_free (self->data);
  g_free (self);
}

/* Grows by copying and wiping, never by realloc(), which may leave the old
 * bytes behind in freed memory. */
static void
reserve (CasedbJsonWriter *self, gsize more)
{
  guint8 *bigger;
  gsize cap = self->cap;

  if (self->len + more <= self->cap)
    return;
  while (cap < self->len + more)
    cap *= 2;
  bigger = g_malloc (cap);
  memcpy (bigger, self->data, self->len);
  casedb_secure_wipe (self->data, self->cap);
  g_free (self->data);
  self->data = bigger;
  self->cap = cap;
}

static void
put (CasedbJsonWriter *self, const char *s, gsize n)
{
  reserve (self, n);
  memcpy (self->data + self->len, s, n);
  self->len += n;
}

static void
put_str (CasedbJsonWriter *self, const char *s)
{
  put (self, s, strlen (s));
}

static void
newline_indent (CasedbJsonWriter *self)
{
  put (self, "\n", 1);
  for (guint i = 0; i < self->depth; i++)
    put (self, "  ", 2);
}

/* Comma and indentation before a value (or a member name). */
static void
before_value (CasedbJsonWriter *self)
{
  if (self->after_member)
    {
      self->after_member = FALSE;
      return;
    }
  if (self->depth == 0)
    return;
  if (!self->empty[self->depth - 1])
    put (self, ",", 1);
  self->empty[self->depth - 1] = FALSE;
  newline_indent (self);
}

static void
put_escaped (CasedbJsonWriter *self, const char *s)
{
  const char *p = s;

  put (self, "\"", 1);
  while (*p != '\0')
    {
      gunichar ch = g_utf8_get_char_validated (p, -1);

      if (ch == (gunichar) -1 || ch == (gunichar) -2)
        {
          put_str (self, "\xef\xbf\xbd");
          p++;
          continue;
        }
      if (ch == '"')
        put_str (self, "\\\"");
      else if (ch == '\\')
        put_str (self, "\\\\");
      else if (ch == '\n')
        put_str (self, "\\n");
      else if (ch == '\r')
        put_str (self, "\\r");
      else if (ch == '\t')
        put_str (self, "\\t");
      else if (ch < 0x20 || ch == 0x7f)
        {
          char esc[8];

          g_snprintf (esc, sizeof esc, "\\u%04x", ch);
          put_str (self, esc);
        }
      else
        put (self, p, g_utf8_next_char (p) - p);
      p = g_utf8_next_char (p);
    }
  put (self, "\"", 1);
}

static void
begin (CasedbJsonWriter *self, const char *open)
{
  g_return_if_fail (self->depth < MAX_DEPTH);

  before_value (self);
  put_str (self, open);
  self->empty[self->depth++] = TRUE;
}

static void
end (CasedbJsonWriter *self, const char *close)
{
  g_return_if_fail (self->depth > 0);

  self->depth--;
  if (!self->empty[self->depth])
    newline_indent (self);
  put_str (self, close);
  if (self->depth == 0)
    put (self, "\n", 1);
}

void
casedb_json_writer_begin_object (CasedbJsonWriter *self)
{
  begin (self, "{");
}

void
casedb_json_writer_end_object (CasedbJsonWriter *self)
{
  end (self, "}");
}

void
casedb_json_writer_begin_array (CasedbJsonWriter *self)
{
  begin (self, "[");
}

void
casedb_json_writer_end_array (CasedbJsonWriter *self)
{
  end (self, "]");
}

void
casedb_json_writer_member (CasedbJsonWriter *self, const char *name)
{
  g_return_if_fail (name != NULL);
  g_return_if_fail (self->depth > 0 && !self->after_member);

  before_value (self);
  put_escaped (self, name);
  put (self, ": ", 2);
  self->after_member = TRUE;
}

void
casedb_json_writer_string (CasedbJsonWriter *self, const char *value)
{
  if (value == NULL)
    {
      casedb_json_writer_null (self);
      return;
    }
  before_value (self);
  put_escaped (self, value);
}

void
casedb_json_writer_int (CasedbJsonWriter *self, gint64 value)
{
  char num[32];

  before_value (self);
  g_snprintf (num, sizeof num, "%" G_GINT64_FORMAT, value);
  put_str (self, num);
}

void
casedb_json_writer_bool (CasedbJsonWriter *self, gboolean value)
{
  before_value (self);
  put_str (self, value ? "true" : "false");
}

void
casedb_json_writer_null (CasedbJsonWriter *self)
{
  before_value (self);
  put_str (self, "null");
}

void
casedb_json_writer_member_string (CasedbJsonWriter *self, const char *name, const char *value)
{
  casedb_json_writer_member (self, name);
  casedb_json_writer_string (self, value);
}

void
casedb_json_writer_member_int (CasedbJsonWriter *self, const char *name, gint64 value)
{
  casedb_json_writer_member (self, name);
  casedb_json_writer_int (self, value);
}

void
casedb_json_writer_member_bool (CasedbJsonWriter *self, const char *name, gboolean value)
{
  casedb_json_writer_member (self, name);
  casedb_json_writer_bool (self, value);
}

const guint8 *
casedb_json_writer_get_data (CasedbJsonWriter *self, gsize *len)
{
  g_return_val_if_fail (self != NULL, NULL);

  if (len != NULL)
    *len = self->len;
  return self->data;
}
