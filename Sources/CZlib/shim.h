// zlib (Debian's zlib1g-dev), for `skiff convert --compress`: raw DEFLATE blocks that the
// converted module decompresses with its own decoder (Sources/ModuleBundle/Inflate.swift).
#include <zlib.h>
