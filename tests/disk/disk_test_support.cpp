#include "disk_test_support.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "fakes/agent/disk/mountinfo.hpp"
#include "fakes/agent/disk/trace.hpp"
#include "harness/util/eventually.hpp"

namespace svh::agent::disk::test {

bool waitFor(std::chrono::milliseconds deadline, const std::function<bool()>& pred) {
  return util::eventually(pred, deadline, 50ms);
}

bool isMounted(const fs::path& mount_point) {
  return findMount(readMountInfo(), mount_point).has_value();
}

std::vector<fs::path> mountsUnder(const fs::path& dir) {
  std::vector<fs::path> out;
  const std::string prefix = dir.string();
  for (const auto& m : readMountInfo()) {
    if (m.mount_point == prefix || m.mount_point.rfind(prefix + "/", 0) == 0) {
      out.emplace_back(m.mount_point);
    }
  }
  std::sort(out.begin(), out.end(), [](const fs::path& a, const fs::path& b) {
    return a.string().size() > b.string().size();
  });
  return out;
}

namespace {

uint64_t fnv1a(const std::string& data) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : data) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

std::string userXattrs(const fs::path& p) {
  char names[4096];
  const ssize_t len = ::llistxattr(p.c_str(), names, sizeof names);
  if (len <= 0) return "";
  std::vector<std::string> out;
  for (ssize_t i = 0; i < len; i += static_cast<ssize_t>(std::strlen(names + i)) + 1) {
    std::string name = names + i;
    if (name.rfind("user.", 0) != 0) continue;
    char value[4096];
    const ssize_t v = ::lgetxattr(p.c_str(), name.c_str(), value, sizeof value);
    out.push_back(name + "=" + (v >= 0 ? std::string(value, static_cast<size_t>(v)) : "?"));
  }
  std::sort(out.begin(), out.end());
  std::string text;
  for (const auto& x : out) text += " " + x;
  return text;
}

}  // namespace

std::string manifest(const fs::path& dir) {
  std::vector<std::string> lines;
  auto describe = [&](const fs::path& p, const std::string& rel) {
    struct stat st {};
    if (::lstat(p.c_str(), &st) != 0) {
      lines.push_back(rel + " <" + std::strerror(errno) + ">");
      return;
    }
    std::ostringstream line;
    line << rel << " type=" << std::oct << (st.st_mode & S_IFMT) << " mode=" << (st.st_mode & 07777)
         << std::dec << " owner=" << st.st_uid << ":" << st.st_gid << " size=" << st.st_size
         << " mtime=" << st.st_mtim.tv_sec << "." << st.st_mtim.tv_nsec;
    if (S_ISREG(st.st_mode)) {
      line << " content=" << std::hex << fnv1a(readFile(p)) << std::dec;
    } else if (S_ISLNK(st.st_mode)) {
      line << " target=" << fs::read_symlink(p).string();
    }
    line << userXattrs(p);
    lines.push_back(line.str());
  };
  describe(dir, ".");
  for (auto it = fs::recursive_directory_iterator(dir); it != fs::recursive_directory_iterator();
       ++it) {
    describe(it->path(), it->path().lexically_relative(dir).string());
  }
  std::sort(lines.begin(), lines.end());
  std::string text;
  for (const auto& l : lines) text += l + "\n";
  return text;
}

std::string errnoName(int error) {
  return error == 0 ? "0" : svh::agent::disk::errnoName(error);
}

int errOf(long result) {
  return result < 0 ? errno : 0;
}

std::string readFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void writeFile(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

std::vector<std::string> traceLines(const fs::path& file) {
  std::vector<std::string> out;
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    EXPECT_TRUE(nlohmann::json::accept(line)) << "trace line is not JSON: " << line;
    out.push_back(line);
  }
  return out;
}

void DiskTest::SetUp() {
  std::string why;
  ASSERT_TRUE(fuseAvailable(&why)) << "FUSE disk tests need FUSE: " << why;
  char dir[] = "/tmp/svh-disk-test-XXXXXX";
  ASSERT_NE(::mkdtemp(dir), nullptr) << std::strerror(errno);
  tmp_ = dir;
  backing_ = tmp_ / "disk";
  mnt_ = tmp_ / "mnt";
  trace_ = tmp_ / "trace.jsonl";
  fs::create_directories(backing_ / "volumes" / "roles" / "eng");
}

void DiskTest::TearDown() {
  if (tmp_.empty()) return;
  if (disk_) {
    const auto start = std::chrono::steady_clock::now();
    disk_.reset();
    const auto took = std::chrono::steady_clock::now() - start;
    EXPECT_LT(took, 10s) << "unmount took too long";
  }
  // A mount left behind would make remove_all delete through it: detach
  // first, and fail the test, since leaking a mount is a bug.
  for (const auto& m : mountsUnder(tmp_)) {
    ADD_FAILURE() << "the test left a mount at " << m;
    ::umount2(m.c_str(), MNT_DETACH);
  }
  std::error_code ec;
  fs::remove_all(tmp_, ec);
  if (ec) ADD_FAILURE() << "cannot remove " << tmp_ << ": " << ec.message();
}

void DiskTest::mountDisk(DiskOptions options) {
  options.backing = backing_;
  options.mountpoint = mnt_;
  if (options.trace_file.empty()) options.trace_file = trace_;
  disk_ = FuseDisk::mount(options);
  ASSERT_TRUE(isMounted(mnt_)) << "mount() returned but " << mnt_ << " is not a mount point";
}

fs::path DiskTest::makeVolume(const std::string& name) {
  auto dir = backing_ / "volumes" / "roles" / "eng" / name;
  fs::create_directories(dir);
  return dir;
}

fs::path DiskTest::addView(const std::string& view_id, const fs::path& volume, Mode mode,
                           std::optional<uint64_t> quota) {
  return disk_->addView({.view_id = view_id,
                         .volume_dir = volume,
                         .mode = mode,
                         .task_id = "task-" + view_id,
                         .volume_id = volume.filename().string(),
                         .quota_bytes = quota});
}

}  // namespace svh::agent::disk::test
