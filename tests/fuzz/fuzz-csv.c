/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "casedb-fuzz"

#include "config.h"

#include "casedb-core.h"
#include "fuzz-common.h"

/* The import parser: any bytes give cases or problems, never both, and
 * every problem is a located, readable sentence (the GUI shows them). */
int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) cases = NULL;
  g_autoptr(GPtrArray) problems = NULL;

  fuzz_init ();
  cases = casedb_import_parse_csv ((const char *) data, size, "fuzz.csv", &problems, &error);
  g_assert_nonnull (problems);

  if (cases == NULL)
    {
      g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_INVALID_INPUT);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      g_assert_cmpuint (problems->len, >, 0);
    }
  else
    {
      g_assert_no_error (error);
      g_assert_cmpuint (problems->len, ==, 0);
      g_assert_cmpuint (cases->len, >, 0);
      for (guint i = 0; i < cases->len; i++)
        {
          g_autoptr(GPtrArray) invalid = casedb_case_validate (g_ptr_array_index (cases, i));

          g_assert_true (invalid == NULL || invalid->len == 0);
        }
    }

  for (guint i = 0; i < problems->len; i++)
    {
      CasedbImportProblem *p = g_ptr_array_index (problems, i);

      g_assert_cmpuint (p->line, >=, 1);
      g_assert_nonnull (p->message);
      g_assert_true (g_utf8_validate (p->message, -1, NULL));
      g_assert_true (p->column == NULL || g_utf8_validate (p->column, -1, NULL));
    }
  return 0;
}
