/* The C library's floating point on top of the F/D instructions: formatting (printf %a %.17g %e
 * %f), parsing (strtod/strtof), and libm functions in double and single precision. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const double xs[] = {0.0, -0.0, 1e-310, 0.1, 0.5, 1.0, 1.5, 2.0, 3.14159265358979, 10.0, 100.5,
                            -7.25, 1e10, 6.02214076e23, 1e300, -1e-5, INFINITY, -INFINITY, NAN};

int main(void) {
    for (unsigned i = 0; i < sizeof xs / sizeof xs[0]; i++) {
        double x = xs[i];
        float f = (float)x;
        printf("x=%a %.17g %e %f %g\n", x, x, x, x, x);
        printf(" sin=%a cos=%a tan=%a exp=%a log=%a sqrt=%a cbrt=%a\n", sin(x), cos(x), tan(x), exp(x), log(x), sqrt(x), cbrt(x));
        printf(" atan=%a asinh=%a expm1=%a log1p=%a tanh=%a erf=%a lgamma=%a\n", atan(x), asinh(x), expm1(x), log1p(x), tanh(x), erf(x), lgamma(x));
        printf(" pow(x,1.5)=%a pow(2,x)=%a atan2(x,-1)=%a hypot(x,3)=%a fmod(x,0.7)=%a remainder(x,0.7)=%a fma(x,x,-1)=%a\n",
               pow(x, 1.5), pow(2.0, x), atan2(x, -1.0), hypot(x, 3.0), fmod(x, 0.7), remainder(x, 0.7), fma(x, x, -1.0));
        int e;
        double m = frexp(x, &e);
        printf(" floor=%a ceil=%a trunc=%a round=%a frexp=%a,%d ldexp=%a logb=%a nextafter=%a copysign=%a\n",
               floor(x), ceil(x), trunc(x), round(x), m, e, ldexp(x, -1070), logb(x), nextafter(x, 0.0), copysign(3.0, x));
        printf(" f=%a sinf=%a expf=%a logf=%a sqrtf=%a powf=%a fmaf=%a %.9g\n", (double)f, (double)sinf(f), (double)expf(f),
               (double)logf(f), (double)sqrtf(f), (double)powf(f, 0.5f), (double)fmaf(f, f, -1.0f), (double)f);
    }
    static const char *strs[] = {"0", "-0", "1e-400", "4.9e-324", "2.4703282292062328e-324", "0x1.fffffffffffffp1023", "1e309",
                                 "inf", "-nan", "3.141592653589793238462643383279", "0.000001234567890123456789", "9007199254740993"};
    for (unsigned i = 0; i < sizeof strs / sizeof strs[0]; i++) {
        char *end;
        double d = strtod(strs[i], &end);
        float f = strtof(strs[i], NULL);
        printf("strtod(%s)=%a (%d consumed) strtof=%a\n", strs[i], d, (int)(end - strs[i]), (double)f);
    }
    double acc = 0;
    for (int i = 1; i <= 100000; i++) acc += 1.0 / ((double)i * i);
    printf("basel %.17g\n", acc);
    return 0;
}
