#pragma once
/// Writing output files atomically: the content goes to a temporary file in the target's
/// directory, which is then renamed over the target, so readers and a process killed at any
/// moment see the old file or the new one, never a mix (docs/outputs.md, docs/sweeps.md).
#include <string>

namespace arraysim::util {

/// Whether write_atomically forces the content to the disk before the rename.
enum class Durability {
  rename_only,  ///< atomic for readers and for a killed process; a power loss may lose the new content
  fsync,        ///< fsynced before the rename: the new content survives a power loss once the call returns
};

/// Writes `text` to `path` through a temporary file `.NAME.tmp-XXXXXX` beside it and rename(2).
/// The file gets the mode an ordinary new file gets (0666 minus the umask). On failure the
/// temporary file is removed, `path` is left as it was, and std::runtime_error says
/// "cannot write 'PATH': REASON". The directory must exist.
void write_atomically(const std::string& path, const std::string& text, Durability durability);

/// Removes the temporary files write_atomically leaves in `dir` when its process is killed
/// mid-write (`.NAME.tmp-XXXXXX`); other files are kept. Errors are ignored.
void remove_stale_temporaries(const std::string& dir);

}  // namespace arraysim::util
