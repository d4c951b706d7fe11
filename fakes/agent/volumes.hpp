#pragma once
// Where persistent volumes live on the agent's backing store, and keeping the
// store in line with the checkpointed resources the master sends: a new
// volume gets an empty directory, a destroyed one loses its data (SV-CREATE-4,
// PV-DESTROY-3, H-DATA-3). A directory the agent never created is never
// touched.

#include <filesystem>
#include <string>
#include <vector>

#include "fakes/common/resources.hpp"
#include "fakes/common/seeded_faults.hpp"

namespace svh::agent {

// <backing>/volumes/roles/<role, '/' as ' '>/<persistence id> for root disks.
std::filesystem::path volumePath(const std::filesystem::path& backing,
                                 const mesos::v1::Resource& volume);

struct VolumeChanges {
  std::vector<std::filesystem::path> created;
  std::vector<std::filesystem::path> removed;
  // In both, with another size (GROW_VOLUME, SHRINK_VOLUME): the new size.
  struct Resized {
    std::filesystem::path path;
    std::string id;
    double before_mb;
    double after_mb;
  };
  std::vector<Resized> resized;
  std::vector<std::string> errors;
};

// Creates the directories of volumes in `after` and not in `before`, and
// removes those in `before` and not in `after`. A resized volume keeps its
// directory and data: its size is only what the disk's quota enforces, as
// with a Mesos agent, whose disk isolators apply a volume's size to the
// containers that use it (Slave::syncCheckpointedResources only creates and
// deletes directories).
// `faults`: the seeded fault destroy-leaves-hidden-files (seeded_faults.hpp).
VolumeChanges syncVolumes(const std::filesystem::path& backing, const fakes::Resources& before,
                          const fakes::Resources& after, const fakes::Faults& faults = {});

}  // namespace svh::agent
