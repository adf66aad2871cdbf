/* glibc's SSE2 string functions (strcmp, strlen, strchr, memcmp) on several lengths. */
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
int main(void) {
    const char *w[] = {"exit", "elif", "else", "esac", "fi", "for", "a", "", "abcdefghijklmnopqrstuvwxyz0123456789", "abcdefghijklmnopqrstuvwxyz0123456788"};
    for (int i = 0; i < 10; i++) for (int j = 0; j < 10; j++) {
        int r = strcmp(w[i], w[j]);
        printf("%d", r < 0 ? -1 : r > 0);
    }
    printf("\n%zu %zu\n", strlen(w[8]), strlen(w[0]));
    char buf[300]; memset(buf, 'x', 299); buf[299] = 0;
    printf("%zu %p\n", strlen(buf), (void*)(strchr(buf, 'y')));
    printf("%d\n", memcmp("abcdef", "abcdeg", 6) < 0);
    return 0;
}
