#include "watch/mounts.h"

#include <sys/vfs.h>

#include <cstdint>

namespace devwatch::watch {

std::optional<std::string> remote_filesystem_name(const std::string& path) {
  struct statfs sf {};
  if (::statfs(path.c_str(), &sf) != 0) return std::nullopt;
  // Magic numbers from linux/magic.h and the filesystems' sources; compared as
  // unsigned 32-bit because f_type's sign differs between architectures.
  switch (static_cast<std::uint32_t>(sf.f_type)) {
    case 0x6969u: return "nfs";
    case 0xFF534D42u: return "cifs";
    case 0xFE534D42u: return "smb2";
    case 0x517Bu: return "smbfs";
    case 0x01021997u: return "9p (v9fs; WSL2 Windows drives)";
    case 0x65735546u: return "fuse";
    case 0x65735543u: return "fusectl";
    case 0x00C36400u: return "ceph";
    case 0x5346414Fu:
    case 0x6B414653u: return "afs";
    case 0x47504653u: return "gpfs";
    case 0x0BD00BD0u: return "lustre";
    case 0x786F4256u: return "vboxsf";
    case 0x19830326u: return "fhgfs (beegfs)";
    case 0x013111A8u: return "ibrix";
    case 0x73757245u: return "coda";
    case 0x564C: return "ncpfs";
    default: return std::nullopt;
  }
}

}  // namespace devwatch::watch
