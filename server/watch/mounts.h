// Which filesystems inotify cannot fully watch: on network and virtual
// filesystems (NFS, SMB/CIFS, 9p as WSL2 uses for /mnt/c, FUSE, ...) changes
// made elsewhere produce no local event. statfs each root (and each mount
// point met during a crawl) and warn with the way to poll instead.
// Threading: pure functions (statfs is a blocking syscall, cheap).
#pragma once

#include <optional>
#include <string>

namespace devwatch::watch {

// The filesystem's name when inotify misses remote changes on it ("nfs",
// "cifs", "9p", "fuse", ...), nullopt when inotify is complete (or statfs failed).
std::optional<std::string> remote_filesystem_name(const std::string& path);

}  // namespace devwatch::watch
