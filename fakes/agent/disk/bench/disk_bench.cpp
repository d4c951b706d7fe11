// svh_disk_bench: what serving volumes through FUSE costs. Runs the same
// work three ways and prints the medians:
//   direct     on the backing dir itself;
//   FUSE view  through an RW view of a FuseDisk, as the agent mounts it
//              (trace on, quota on, as the agent runs it);
//   task view  the same view bind-mounted in a private mount namespace, as
//              svh-task mounts it at <sandbox>/<container_path> (measured by
//              a child of this program that enters the namespace).
// The work: sequential write of a 256 MiB file (1 MiB writes), then reading
// it back; creating 10,000 files of 4 KiB (open, write, close). Caches are
// warm and nothing is fsync'ed: this measures the FUSE path, not the device.
// Needs root.
//   svh_disk_bench [--runs N] [--mib N] [--files N] [--dir DIR] [--no-trace]
//                  [--quota-mib N]
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "fakes/agent/disk/fuse_disk.hpp"

namespace fs = std::filesystem;
using svh::agent::disk::FuseDisk;
using svh::agent::disk::Mode;

namespace {

double seconds(const std::function<void()>& work) {
  const auto start = std::chrono::steady_clock::now();
  work();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "svh_disk_bench: %s: %s\n", what.c_str(), std::strerror(errno));
  std::exit(1);
}

void writeSequential(const fs::path& file, size_t mib) {
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) die("open " + file.string());
  std::vector<char> chunk(1 << 20, 'w');
  for (size_t i = 0; i < mib; ++i) {
    if (::write(fd, chunk.data(), chunk.size()) != static_cast<ssize_t>(chunk.size())) die("write");
  }
  ::close(fd);
}

void readSequential(const fs::path& file, size_t mib) {
  const int fd = ::open(file.c_str(), O_RDONLY);
  if (fd < 0) die("open " + file.string());
  std::vector<char> chunk(1 << 20);
  size_t total = 0;
  for (ssize_t n; (n = ::read(fd, chunk.data(), chunk.size())) > 0;)
    total += static_cast<size_t>(n);
  ::close(fd);
  if (total != mib << 20) die("short read");
}

void createFiles(const fs::path& dir, int count) {
  fs::create_directories(dir);
  std::vector<char> data(4096, 'f');
  for (int i = 0; i < count; ++i) {
    const auto file = dir / ("f" + std::to_string(i));
    const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (fd < 0) die("create " + file.string());
    if (::write(fd, data.data(), data.size()) != 4096) die("write");
    ::close(fd);
  }
}

struct Result {
  double write_mbs, read_mbs, files_per_s;
};

Result measure(const fs::path& root, int runs, size_t mib, int files) {
  std::vector<double> w, r, c;
  for (int i = 0; i < runs; ++i) {
    const auto big = root / "big";
    w.push_back(mib / seconds([&] { writeSequential(big, mib); }));
    r.push_back(mib / seconds([&] { readSequential(big, mib); }));
    fs::remove(big);
    const auto dir = root / ("small" + std::to_string(i));
    c.push_back(files / seconds([&] { createFiles(dir, files); }));
    fs::remove_all(dir);
  }
  return {median(w) * 1.048576, median(r) * 1.048576, median(c)};  // MiB/s -> MB/s
}

// The child's side of "task view": a private mount namespace with the view
// bind-mounted at `point`, like a task's; prints the three medians.
int measureInsideTask(const fs::path& view, const fs::path& point, int runs, size_t mib,
                      int files) {
  if (::unshare(CLONE_NEWNS) != 0) die("unshare(CLONE_NEWNS)");
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) die("make / private");
  if (::mount(view.c_str(), point.c_str(), nullptr, MS_BIND, nullptr) != 0) die("bind the view");
  Result result = measure(point, runs, mib, files);
  std::printf("%f %f %f\n", result.write_mbs, result.read_mbs, result.files_per_s);
  return 0;
}

Result measureInTaskNamespace(const fs::path& view, const fs::path& point, int runs, size_t mib,
                              int files) {
  fs::create_directories(point);
  const auto self = fs::read_symlink("/proc/self/exe");
  const std::string command = self.string() + " --inside-task " + view.string() + " " +
                              point.string() + " " + std::to_string(runs) + " " +
                              std::to_string(mib) + " " + std::to_string(files);
  FILE* child = ::popen(command.c_str(), "r");
  if (!child) die("start " + command);
  Result result{};
  int read =
      std::fscanf(child, "%lf %lf %lf", &result.write_mbs, &result.read_mbs, &result.files_per_s);
  if (::pclose(child) != 0 || read != 3) die("measure through a task's view");
  return result;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 7 && std::string(argv[1]) == "--inside-task") {
    return measureInsideTask(argv[2], argv[3], std::atoi(argv[4]),
                             std::strtoul(argv[5], nullptr, 10), std::atoi(argv[6]));
  }
  int runs = 5;
  size_t mib = 256;
  int files = 10000;
  fs::path dir;
  bool trace = true;
  uint64_t quota_mib = 1024;
  for (int i = 1; i < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--no-trace") {
      trace = false;
      --i;
      continue;
    }
    if (i + 1 >= argc) flag.clear();
    if (flag == "--runs")
      runs = std::atoi(argv[i + 1]);
    else if (flag == "--mib")
      mib = std::strtoul(argv[i + 1], nullptr, 10);
    else if (flag == "--files")
      files = std::atoi(argv[i + 1]);
    else if (flag == "--dir")
      dir = argv[i + 1];
    else if (flag == "--quota-mib")
      quota_mib = std::strtoull(argv[i + 1], nullptr, 10);
    else {
      std::fprintf(stderr,
                   "usage: %s [--runs N] [--mib N] [--files N] [--dir DIR] [--no-trace] "
                   "[--quota-mib N]\n",
                   argv[0]);
      return 2;
    }
  }
  bool made = false;
  if (dir.empty()) {
    char tmpl[] = "/tmp/svh-disk-bench-XXXXXX";
    if (::mkdtemp(tmpl) == nullptr) die("mkdtemp");
    dir = tmpl;
    made = true;
  }
  const auto volume = dir / "disk" / "volumes" / "roles" / "bench" / "v1";
  fs::create_directories(volume);
  Result direct{}, view{}, task{};
  try {
    direct = measure(volume, runs, mib, files);
    svh::agent::disk::DiskOptions options;
    options.backing = dir / "disk";
    options.mountpoint = dir / "mnt";
    if (trace) options.trace_file = dir / "trace.jsonl";
    auto disk = FuseDisk::mount(options);
    svh::agent::disk::ViewSpec spec;
    spec.view_id = "bench";
    spec.volume_dir = volume;
    spec.task_id = "bench";
    spec.volume_id = "v1";
    if (quota_mib > 0) spec.quota_bytes = quota_mib << 20;
    const auto path = disk->addView(spec);
    view = measure(path, runs, mib, files);
    task = measureInTaskNamespace(path, dir / "sandbox" / "data", runs, mib, files);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "svh_disk_bench: %s\n", e.what());
    return 1;
  }
  std::printf(
      "svh_disk_bench: %zu MiB sequential (1 MiB I/O), %d x 4 KiB files; median of %d;"
      " warm cache, no fsync; trace %s; quota %s\n",
      mib, files, runs, trace ? "on" : "off",
      quota_mib > 0 ? (std::to_string(quota_mib) + " MiB").c_str() : "off");
  std::printf("%-22s %12s %12s %12s %12s\n", "", "direct", "FUSE view", "task view",
              "task/direct");
  auto row = [](const char* name, double a, double b, double c) {
    std::printf("%-22s %12.0f %12.0f %12.0f %11.0f%%\n", name, a, b, c, 100.0 * c / a);
  };
  row("seq write MB/s", direct.write_mbs, view.write_mbs, task.write_mbs);
  row("seq read MB/s", direct.read_mbs, view.read_mbs, task.read_mbs);
  row("create files/s", direct.files_per_s, view.files_per_s, task.files_per_s);
  if (made) fs::remove_all(dir);
  return 0;
}
