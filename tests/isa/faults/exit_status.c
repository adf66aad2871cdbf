/* Exits with the status given as argv[1] (the low 8 bits are what a parent sees). */
#include <stdlib.h>
int main(int argc, char **argv) { return argc > 1 ? atoi(argv[1]) : 0; }
