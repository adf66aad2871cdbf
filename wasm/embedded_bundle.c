// The three functions through which a module made by `skiff convert` reads what it carries (its
// bundle: the image's configuration, filesystem tables and file contents) from its own passive
// data segments. In the core module as built they are stubs that say "nothing embedded";
// `skiff convert` (Sources/Skiff/Convert/WasmModuleWriter.swift) appends the segments and
// replaces these bodies, which it finds by name in the module's name section, with code that answers for them
// (`memory.init` copies a segment's bytes into linear memory on demand, so the image is never
// loaded whole). docs/convert.md describes the layout.
//
// They must stay separate functions that the rest of the core calls (never inlined): this file
// is compiled on its own and wasm-ld does no cross-module inlining. They are not exported: a
// command module's exports are wrappers (they run constructors first), not these functions.

#include <stdint.h>

// How many segments the bundle has (0: a plain core module, nothing embedded).
__attribute__((noinline))
int32_t skiff_bundle_segment_count(void) { return 0; }

// The size in bytes of bundle segment `index` (0 for an index out of range).
__attribute__((noinline))
int32_t skiff_bundle_segment_size(int32_t index) { (void)index; return 0; }

// Copies `length` bytes at `offset` of bundle segment `index` to `destination` (a trap when the
// range is out of the segment, as memory.init does).
__attribute__((noinline))
void skiff_bundle_segment_copy(int32_t index, void *destination, int32_t offset, int32_t length) {
    (void)index; (void)destination; (void)offset; (void)length;
    __builtin_trap();
}
