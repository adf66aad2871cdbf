// libarchive, loaded on first use: see ArchiveLoader.c. Swift code calls libarchive through the
// CArchive module as usual; this target only supplies the definitions the linker binds to.
#ifndef SKIFF_ARCHIVE_LOADER_H
#define SKIFF_ARCHIVE_LOADER_H

/// Loads libarchive now if it is not loaded yet; 0 on success, -1 (with a message in `error`,
/// NUL-terminated, truncated to `size`) if the library cannot be loaded.
int skiff_archive_load(char *error, unsigned long size);

#endif
