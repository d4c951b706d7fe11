#include "fakes/agent/volumes.hpp"

#include <algorithm>
#include <map>

#include "fakes/agent/agent_support.hpp"

namespace svh::agent {

std::filesystem::path volumePath(const std::filesystem::path& backing,
                                 const mesos::v1::Resource& volume) {
  std::string role = fakes::reservationRole(volume);
  std::replace(role.begin(), role.end(), '/', ' ');
  // The master validates ids, but a path that remove_all may be given is
  // never built from unchecked text: one component each, never `..`.
  return backing / "volumes" / "roles" / safeName(role) /
         safeName(volume.disk().persistence().id());
}

namespace {

// The seeded fault destroy-leaves-hidden-files: a wipe written as
// `rm -rf dir/* && rmdir dir`, whose glob skips dot-files, so the rmdir
// fails and they stay.
void removeAsAGlobWould(const std::filesystem::path& dir, std::error_code& ec) {
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().filename().string().rfind('.', 0) == 0) continue;
    std::filesystem::remove_all(entry.path(), ec);
    if (ec) return;
  }
  if (!ec) std::filesystem::remove(dir, ec);
}

}  // namespace

VolumeChanges syncVolumes(const std::filesystem::path& backing, const fakes::Resources& before,
                          const fakes::Resources& after, const fakes::Faults& faults) {
  // Path -> size in MB (a volume is one entry, whatever its share count).
  auto paths = [&](const fakes::Resources& resources) {
    std::map<std::filesystem::path, std::pair<std::string, double>> out;
    for (const auto& entry : resources.persistentVolumes().entries()) {
      out[volumePath(backing, entry.resource)] = {entry.resource.disk().persistence().id(),
                                                  entry.resource.scalar().value()};
    }
    return out;
  };
  auto old_paths = paths(before);
  auto new_paths = paths(after);
  VolumeChanges changes;
  for (const auto& [path, volume] : new_paths) {
    auto old = old_paths.find(path);
    if (old != old_paths.end() && old->second.second != volume.second) {
      changes.resized.push_back({path, volume.first, old->second.second, volume.second});
    }
  }
  for (const auto& [path, volume] : new_paths) {
    if (old_paths.count(path) && std::filesystem::is_directory(path)) continue;
    std::error_code ec;
    std::filesystem::create_directories(path, ec);
    if (ec) {
      changes.errors.push_back("cannot create volume " + path.string() + ": " + ec.message());
    } else {
      changes.created.push_back(path);
    }
  }
  for (const auto& [path, volume] : old_paths) {
    if (new_paths.count(path)) continue;
    std::error_code ec;
    if (faults.has(fakes::Fault::kDestroyLeavesHiddenFiles)) {
      removeAsAGlobWould(path, ec);
    } else {
      std::filesystem::remove_all(path, ec);
    }
    if (ec) {
      changes.errors.push_back("cannot remove volume " + path.string() + ": " + ec.message());
    } else {
      changes.removed.push_back(path);
    }
  }
  return changes;
}

}  // namespace svh::agent
