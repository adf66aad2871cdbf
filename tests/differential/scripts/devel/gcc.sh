# reference: proot
# gcc: compile to assembly, assemble, link (dynamic, static, -lm, a shared library of our own),
# run; a warning and a link error. gcc's outputs are deterministic, so their checksums must match
# the reference's byte for byte: a miscompiled compiler (an emulation bug) shows here. (Each gcc
# run starts cc1, as, collect2 and ld: few runs keep the case cheap under both.)
cat > prog.c <<'EOF'
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int scale(int);
static int cmp(const void *a, const void *b) { return *(const int *)a - *(const int *)b; }
int main(int argc, char **argv) {
    int v[8] = {5, 3, 9, 1, 7, 2, 8, 6};
    qsort(v, 8, sizeof v[0], cmp);
    for (int i = 0; i < 8; i++) printf("%d ", scale(v[i]));
    printf("\nsqrt(2)=%.12f pow=%g argc=%d %s\n", sqrt(2.0), pow(1.5, 3.25), argc, argc > 1 ? argv[1] : "-");
    char buf[64];
    snprintf(buf, sizeof buf, "%08.3f|%-5s|%x", M_PI, "ab", 48879);
    puts(buf);
    return (int)strlen(buf);
}
EOF
printf 'int scale(int x) { return x * 10 + 1; }\n' > lib.c
gcc -O2 -S prog.c -o prog.s && gcc -c prog.s -o prog.o && echo assembled
gcc -O2 -fPIC -shared lib.c -o libscale.so && echo "shared library built"
gcc -o prog prog.o -L. -lscale -lm -Wl,-rpath,'$ORIGIN' && ./prog one; echo "dynamic status $?"
gcc -O2 -static -o prog-static prog.c lib.c -lm && ./prog-static; echo "static status $?"
printf 'int undefined_symbol(void);\nint f(int x) { int unused; return x; }\nint main(void) { return undefined_symbol(); }\n' > bad.c
gcc -Wall bad.c -o bad 2>&1 | grep -o -e "unused variable 'unused'" -e 'undefined reference to `undefined_symbol'"'"; echo "link failure status ${PIPESTATUS[0]}"
sha256sum prog.s prog.o libscale.so prog
