// link: dynamic
// cflags: -Wl,--dynamic-linker=/lib/ld-skiff-missing.so.1
/* A dynamically linked program whose PT_INTERP names a loader that does not exist in the root:
 * execve fails with ENOENT, so a shell reports exit status 127. */
#include <stdio.h>
int main(void) { printf("must not run\n"); return 0; }
