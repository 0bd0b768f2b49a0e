#pragma once
/// Writing output files atomically: the content goes to a temporary file in the target's
/// directory, which is then renamed over the target, so readers and a process killed at any
/// moment see the old file or the new one, never a mix (docs/outputs.md, docs/sweeps.md).
///
/// Every output of arraysim is written here, under three rules: the target is a regular file or
/// a new path (a FIFO, a device such as /dev/null, a socket or a directory is refused, never
/// replaced); a symbolic link is written through (the file it points to is replaced, the link
/// stays, as a shell's `>` would do); and no input of the same run (util::read_input) is replaced.
#include <functional>
#include <string>

namespace arraysim::util {

/// Whether write_atomically forces the content to the disk before the rename.
enum class Durability {
  rename_only,  ///< atomic for readers and for a killed process; a power loss may lose the new content
  fsync,        ///< fsynced before the rename: the new content survives a power loss once the call returns
};

/// The file write_atomically(`path`, ...) would replace or create: `path` with symbolic links
/// followed (a dangling link gives the path it points to). Throws std::runtime_error
/// "cannot write 'PATH': REASON" when that is not a regular file or a new path ("it is a
/// character device, not a regular file; outputs go to regular files or new paths"), when it is
/// an input of this run ("it is an input of this run ('exp.yaml')"), or the links loop. Used to
/// refuse an output path before a run starts.
std::string output_target(const std::string& path);

/// Writes `text` to output_target(`path`) through a temporary file `.NAME.tmp-XXXXXX` beside it
/// and rename(2). A new file gets the mode an ordinary new file gets (0666 minus the umask); a
/// replaced file keeps its permission bits. On failure the temporary file is removed, the target
/// is left as it was, and std::runtime_error says "cannot write 'PATH': REASON". The directory
/// must exist.
void write_atomically(const std::string& path, const std::string& text, Durability durability);

/// Removes the temporary files write_atomically leaves in `dir` when its process is killed
/// mid-write (`.NAME.tmp-XXXXXX`); other files are kept. Errors are ignored.
void remove_stale_temporaries(const std::string& dir);

/// Test aid: `hook` is called with the target of every later write_atomically; a non-zero errno
/// it returns makes that write fail as if the file system had returned it (ENOSPC: a full disk),
/// after the temporary file was created and before anything is renamed. An empty function (the
/// default) removes the hook.
void set_write_fault(std::function<int(const std::string& target)> hook);

}  // namespace arraysim::util
