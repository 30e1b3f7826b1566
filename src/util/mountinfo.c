#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "mrc/mountinfo.h"

void
mrc_mountinfo_unescape (char *s)
{
  char *out = s;
  for (char *p = s; *p; p++)
    if (p[0] == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] >= '0'
        && p[2] <= '7' && p[3] >= '0' && p[3] <= '7')
      {
        *out++ = (char) ((p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0'));
        p += 3;
      }
    else
      *out++ = *p;
  *out = '\0';
}

int
mrc_mountinfo_split (char *line, struct mrc_mountinfo_line *out)
{
  /* the optional fields end at the first " - " (the fields before it
     hold no unescaped space) */
  char *sep = strstr (line, " - ");
  if (sep == NULL)
    return -1;
  *sep = '\0';
  char *save = NULL, *f[5] = { NULL };
  f[0] = strtok_r (line, " ", &save);
  for (int i = 1; f[i - 1] && i < 5; i++)
    f[i] = strtok_r (NULL, " ", &save);
  save = NULL;
  char *type = strtok_r (sep + 3, " ", &save);
  char *source = type ? strtok_r (NULL, " ", &save) : NULL;
  char *super = source ? strtok_r (NULL, " ", &save) : NULL;
  if (f[4] == NULL || super == NULL)
    return -1;
  char *end;
  out->id = (int) strtol (f[0], &end, 10);
  if (*end != '\0')
    return -1;
  mrc_mountinfo_unescape (f[3]);
  mrc_mountinfo_unescape (f[4]);
  out->root = f[3];
  out->mnt = f[4];
  out->fstype = type;
  out->super = super;
  return 0;
}
