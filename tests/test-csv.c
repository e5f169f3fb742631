/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "casedb-test"

#include "config.h"

#include <string.h>

#include "casedb-csv.h"
#include "casedb-test-util.h"

/* Reads every record of @data; returns them as "line:field|field|…" strings. */
static GPtrArray *
read_all (const char *data, gsize len, GError **error)
{
  g_autoptr(CasedbCsvReader) reader = casedb_csv_reader_new (data, len);
  g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func (g_free);

  while (casedb_csv_reader_next (reader, error))
    {
      GString *s = g_string_new (NULL);

      g_string_append_printf (s, "%u:", casedb_csv_reader_get_line (reader));
      for (guint i = 0; i < casedb_csv_reader_get_n_fields (reader); i++)
        {
          const char *field = casedb_csv_reader_get_field (reader, i);

          g_assert_cmpuint (casedb_csv_reader_get_field_len (reader, i), ==, strlen (field));
          g_assert_true (casedb_secure_is_secure (field));
          if (i > 0)
            g_string_append_c (s, '|');
          g_string_append (s, field);
        }
      g_ptr_array_add (records, g_string_free (s, FALSE));
    }
  if (error != NULL && *error != NULL)
    return NULL;
  return g_steal_pointer (&records);
}

static void
assert_records (const char *data, const char * const *expected)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) records = read_all (data, strlen (data), &error);

  g_assert_no_error (error);
  g_assert_cmpuint (records->len, ==, g_strv_length ((char **) expected));
  for (guint i = 0; i < records->len; i++)
    g_assert_cmpstr (g_ptr_array_index (records, i), ==, expected[i]);
}

/* Asserts that @data fails with INVALID_INPUT at @line. */
static void
assert_fails_at (const char *data, gsize len, guint line)
{
  g_autoptr(CasedbCsvReader) reader = casedb_csv_reader_new (data, len);
  g_autoptr(GError) error = NULL;

  while (casedb_csv_reader_next (reader, &error))
    ;
  g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_INVALID_INPUT);
  g_assert_cmpuint (casedb_csv_reader_get_line (reader), ==, line);
  /* The reader stays at the end after an error. */
  g_clear_error (&error);
  g_assert_false (casedb_csv_reader_next (reader, &error));
  g_assert_no_error (error);
}

static void
test_csv_simple (void)
{
  const char * const expected[] = { "1:a|b|c", "2:1|2|3", "3:x||", NULL };

  assert_records ("a,b,c\n1,2,3\nx,,", expected);
}

static void
test_csv_quoting (void)
{
  const char * const expected[] = {
    "1:a,b|c\"d||plain",
    "2:\"|,|  spaced  ",
    NULL
  };

  assert_records ("\"a,b\",\"c\"\"d\",\"\",plain\n\"\"\"\",\",\",\"  spaced  \"\n", expected);
}

static void
test_csv_embedded_newlines (void)
{
  const char * const expected[] = {
    "1:ref|text",
    "2:A|one\ntwo\nthree",
    "5:B|x",
    "6:C|\n",
    "8:D|end",
    NULL
  };

  assert_records ("ref,text\nA,\"one\ntwo\nthree\"\nB,x\nC,\"\n\"\nD,end\n", expected);
}

static void
test_csv_crlf (void)
{
  const char * const expected[] = {
    "1:a|b",
    "2:1|multi\r\nline",
    "4:2|3",
    "5:old|mac",
    NULL
  };

  assert_records ("a,b\r\n1,\"multi\r\nline\"\r\n2,3\r\nold,mac\r", expected);
}

static void
test_csv_blank_lines (void)
{
  const char * const expected[] = { "1:a", "4:b", NULL };

  assert_records ("a\n\r\n\nb\n\n", expected);
}

static void
test_csv_bom (void)
{
  const char * const expected[] = { "1:case_ref|x", "2:Amal|é", NULL };

  assert_records ("\xEF\xBB\xBF" "case_ref,x\nAmal,é\n", expected);
}

static void
test_csv_bad_utf8 (void)
{
  const char bad[] = "a,b\nc,d\ne,\xff\n";
  const char bad_in_quotes[] = "a,b\nc,\"one\ntwo \xc3\x28\"\n";
  const char overlong[] = "a\n\xc0\xaf\n";
  const char nul[] = "a\nb\0c\n";

  assert_fails_at (bad, sizeof bad - 1, 3);
  /* The line of the bad byte, not the line where its record starts. */
  assert_fails_at (bad_in_quotes, sizeof bad_in_quotes - 1, 3);
  assert_fails_at (overlong, sizeof overlong - 1, 2);
  assert_fails_at (nul, sizeof nul - 1, 2);
}

static void
test_csv_unterminated_quote (void)
{
  const char *data = "a,b\nc,d\n\"never closed,x\ny,z\n";

  /* Names the line where the quote opened. */
  assert_fails_at (data, strlen (data), 3);
}

static void
test_csv_stray_quotes (void)
{
  const char *inner = "a,b\nab\"c,d\n";
  const char *after = "a,b\n\"ab\"c,d\n";

  assert_fails_at (inner, strlen (inner), 2);
  assert_fails_at (after, strlen (after), 2);
}

static void
test_csv_empty (void)
{
  g_autoptr(CasedbCsvReader) reader = casedb_csv_reader_new ("\xEF\xBB\xBF", 3);
  g_autoptr(GError) error = NULL;

  g_assert_false (casedb_csv_reader_next (reader, &error));
  g_assert_no_error (error);
}

static void
test_csv_append_round_trip (void)
{
  const char *values[] = { "plain", "with,comma", "say \"hi\"", "two\nlines", "cr\r\nlf",
                           "", " lead", "trail ", "é ü" };
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(CasedbCsvReader) reader = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      casedb_csv_append_field (out, values[i]);
    }
  g_string_append (out, "\r\n");
  g_assert_true (g_str_has_prefix (out->str, "plain,\"with,comma\",\"say \"\"hi\"\"\""));

  reader = casedb_csv_reader_new (out->str, out->len);
  g_assert_true (casedb_csv_reader_next (reader, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (casedb_csv_reader_get_n_fields (reader), ==, G_N_ELEMENTS (values));
  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    g_assert_cmpstr (casedb_csv_reader_get_field (reader, i), ==, values[i]);
  g_assert_false (casedb_csv_reader_next (reader, &error));
  g_assert_no_error (error);
}

static void
test_csv_large (void)
{
  g_autoptr(GString) data = g_string_new ("n,text\n");
  g_autoptr(CasedbCsvReader) reader = NULL;
  g_autoptr(GError) error = NULL;
  guint n = 0;

  for (guint i = 0; i < 20000; i++)
    g_string_append_printf (data, "%u,\"row %u, \"\"quoted\"\"\nsecond line\"\n", i, i);

  reader = casedb_csv_reader_new (data->str, data->len);
  g_assert_true (casedb_csv_reader_next (reader, &error));
  while (casedb_csv_reader_next (reader, &error))
    {
      g_autofree char *expected = g_strdup_printf ("row %u, \"quoted\"\nsecond line", n);

      g_assert_cmpuint (casedb_csv_reader_get_line (reader), ==, 2 + 2 * n);
      g_assert_cmpstr (casedb_csv_reader_get_field (reader, 1), ==, expected);
      n++;
    }
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 20000);
}

int
main (int argc, char *argv[])
{
  casedb_test_init (&argc, &argv);

  g_test_add_func ("/csv/simple", test_csv_simple);
  g_test_add_func ("/csv/quoting", test_csv_quoting);
  g_test_add_func ("/csv/embedded-newlines", test_csv_embedded_newlines);
  g_test_add_func ("/csv/crlf", test_csv_crlf);
  g_test_add_func ("/csv/blank-lines", test_csv_blank_lines);
  g_test_add_func ("/csv/bom", test_csv_bom);
  g_test_add_func ("/csv/bad-utf8", test_csv_bad_utf8);
  g_test_add_func ("/csv/unterminated-quote", test_csv_unterminated_quote);
  g_test_add_func ("/csv/stray-quotes", test_csv_stray_quotes);
  g_test_add_func ("/csv/empty", test_csv_empty);
  g_test_add_func ("/csv/append-round-trip", test_csv_append_round_trip);
  g_test_add_func ("/csv/large", test_csv_large);

  return g_test_run ();
}
