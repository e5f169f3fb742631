/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "casedb-fuzz"

#include "config.h"

#include "fuzz-common.h"

/* Without libFuzzer (gcc builds): runs the harness over every file of the
 * seed corpus folders given as arguments, as a TAP test. */
int
main (int argc, char *argv[])
{
  guint n = 0;

  g_test_init (&argc, &argv, NULL);
  fuzz_init ();

  g_print ("1..1\n");
  for (int i = 1; i < argc; i++)
    {
      g_autoptr(GDir) dir = g_dir_open (argv[i], 0, NULL);
      const char *name;

      g_assert_nonnull (dir);
      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *path = g_build_filename (argv[i], name, NULL);
          g_autofree char *data = NULL;
          gsize len = 0;

          if (!g_file_get_contents (path, &data, &len, NULL))
            continue;
          LLVMFuzzerTestOneInput ((const guint8 *) data, len);
          n++;
        }
    }
  if (n == 0)
    {
      g_print ("not ok 1 - no seed found\n");
      return 1;
    }
  g_print ("ok 1 - %u seeds replayed\n", n);
  return 0;
}
