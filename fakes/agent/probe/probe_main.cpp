// svh-probe: what a task can do to a volume, measured from inside the task.
// A task runs it on a directory of a volume it mounts; it tries every
// operation SPEC H-RO-1 names and prints one JSON line per operation:
//
//   {"op":"write","kind":"mutating","path":"w","via":"open(O_WRONLY|O_APPEND)",
//    "errno":30,"error":"EROFS","expected":"EROFS|EACCES|EPERM","ok":true}
//
// "path" is relative to DIR. "via" appears when the call needs a writable file descriptor and the
// open that should give one already failed: then the open's errno is reported (an RO view never
// hands out a writable fd, so write, ftruncate, fallocate and a shared writable mmap cannot even be
// attempted). "errno" 0 and "error" null mean the call worked.
//
// Usage:
//   svh-probe fill DIR   create the fixture the probe works on (needs RW; DIR
//                        must not hold one yet)
//   svh-probe ro DIR     try every operation; mutating ones must fail with
//                        EROFS, EACCES or EPERM, reads must work
//   svh-probe rw DIR     the same operations, all expected to work
// Each operation has its own object in the fixture, so that in RW mode no
// operation disturbs another. Exit codes: 0 every operation did what the
// mode expects, 1 some did not, 2 bad usage, 3 no fixture / cannot fill.

#include <dirent.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace {

// The fixture: what `fill` creates and every read checks.
constexpr const char* kFileContent = "svh-probe: the file every read checks\n";
constexpr const char* kInnerContent = "inner\n";
constexpr const char* kXattr = "user.svh";
constexpr const char* kXattrValue = "kept";
constexpr const char* kGoneXattr = "user.svh-gone";
constexpr std::size_t kMappedSize = 4096;

std::string dir;  // the probed directory

std::string at(const std::string& relative) {
  return dir + "/" + relative;
}

struct Outcome {
  int error = 0;       // 0: the call worked
  std::string via;     // the open that failed first, if it did
  std::string detail;  // why a call that returned was still wrong
};

Outcome ok() {
  return {};
}
Outcome failed(int error) {
  return {error, {}, {}};
}
Outcome check(int result) {
  return result == 0 ? ok() : failed(errno);
}

// An fd opened with `flags` for a call that needs it; on failure the outcome
// names the open.
struct Opened {
  int fd = -1;
  Outcome outcome;
};

Opened openFor(const std::string& relative, int flags, const char* flag_text) {
  Opened opened;
  opened.fd = ::open(at(relative).c_str(), flags | O_CLOEXEC);
  if (opened.fd < 0) opened.outcome = {errno, std::string("open(") + flag_text + ")", {}};
  return opened;
}

struct Op {
  std::string name;
  std::string path;
  bool mutating;
  std::function<Outcome()> run;
};

std::string readAll(int fd) {
  std::string text;
  char buffer[4096];
  ssize_t n;
  while ((n = ::read(fd, buffer, sizeof buffer)) > 0) text.append(buffer, static_cast<size_t>(n));
  return text;
}

std::vector<Op> operations() {
  struct timespec times[2] = {{1000000000, 0}, {1000000000, 0}};
  return {
      // Reads: must work in both modes.
      {"read", "f", false,
       [] {
         int fd = ::open(at("f").c_str(), O_RDONLY | O_CLOEXEC);
         if (fd < 0) return failed(errno);
         std::string text = readAll(fd);
         ::close(fd);
         Outcome outcome;
         if (text != kFileContent) outcome.detail = "read back other content than was filled";
         return outcome;
       }},
      {"stat", "f", false,
       [] {
         struct stat st {};
         if (::stat(at("f").c_str(), &st) != 0) return failed(errno);
         Outcome outcome;
         if (static_cast<size_t>(st.st_size) != std::strlen(kFileContent)) {
           outcome.detail = "size " + std::to_string(st.st_size);
         }
         return outcome;
       }},
      {"readdir", "d", false,
       [] {
         DIR* d = ::opendir(at("d").c_str());
         if (!d) return failed(errno);
         bool found = false;
         errno = 0;
         while (dirent* entry = ::readdir(d)) found |= std::strcmp(entry->d_name, "g") == 0;
         int error = errno;
         ::closedir(d);
         Outcome outcome = failed(error);
         if (error == 0 && !found) outcome.detail = "d/g is not listed";
         return outcome;
       }},
      {"readlink", "l", false,
       [] {
         char target[256] = {};
         ssize_t n = ::readlink(at("l").c_str(), target, sizeof target - 1);
         if (n < 0) return failed(errno);
         Outcome outcome;
         if (std::string(target, static_cast<size_t>(n)) != "f") outcome.detail = "target differs";
         return outcome;
       }},
      {"getxattr", "f", false,
       [] {
         char value[64] = {};
         ssize_t n = ::getxattr(at("f").c_str(), kXattr, value, sizeof value - 1);
         if (n < 0) return failed(errno);
         Outcome outcome;
         if (std::string(value, static_cast<size_t>(n)) != kXattrValue) {
           outcome.detail = "value differs";
         }
         return outcome;
       }},

      // Mutating calls: must fail in RO, work in RW.
      {"open_wronly", "f", true,
       [] {
         int fd = ::open(at("f").c_str(), O_WRONLY | O_CLOEXEC);
         if (fd < 0) return failed(errno);
         ::close(fd);
         return ok();
       }},
      {"open_rdwr", "f", true,
       [] {
         int fd = ::open(at("f").c_str(), O_RDWR | O_CLOEXEC);
         if (fd < 0) return failed(errno);
         ::close(fd);
         return ok();
       }},
      {"open_creat", "c", true,
       [] {
         int fd = ::open(at("c").c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);
         if (fd < 0) return failed(errno);
         ::close(fd);
         return ok();
       }},
      // O_TRUNC truncates even with O_RDONLY on Linux.
      {"open_trunc", "t_open", true,
       [] {
         int fd = ::open(at("t_open").c_str(), O_RDONLY | O_TRUNC | O_CLOEXEC);
         if (fd < 0) return failed(errno);
         ::close(fd);
         return ok();
       }},
      {"truncate", "t_trunc", true, [] { return check(::truncate(at("t_trunc").c_str(), 0)); }},
      {"ftruncate", "t_ftrunc", true,
       [] {
         auto opened = openFor("t_ftrunc", O_RDWR, "O_RDWR");
         if (opened.fd < 0) return opened.outcome;
         Outcome outcome = check(::ftruncate(opened.fd, 0));
         ::close(opened.fd);
         return outcome;
       }},
      {"write", "w", true,
       [] {
         auto opened = openFor("w", O_WRONLY | O_APPEND, "O_WRONLY|O_APPEND");
         if (opened.fd < 0) return opened.outcome;
         Outcome outcome = ::write(opened.fd, "more\n", 5) == 5 ? ok() : failed(errno);
         ::close(opened.fd);
         return outcome;
       }},
      {"fallocate", "a", true,
       [] {
         auto opened = openFor("a", O_RDWR, "O_RDWR");
         if (opened.fd < 0) return opened.outcome;
         Outcome outcome = check(::fallocate(opened.fd, 0, 0, 65536));
         ::close(opened.fd);
         return outcome;
       }},
      {"mmap_shared_write", "m", true,
       [] {
         auto opened = openFor("m", O_RDWR, "O_RDWR");
         if (opened.fd < 0) return opened.outcome;
         void* map = ::mmap(nullptr, kMappedSize, PROT_READ | PROT_WRITE, MAP_SHARED, opened.fd, 0);
         Outcome outcome;
         if (map == MAP_FAILED) {
           outcome = failed(errno);
         } else {
           static_cast<char*>(map)[0] = 'M';
           outcome = check(::msync(map, kMappedSize, MS_SYNC));
           ::munmap(map, kMappedSize);
         }
         ::close(opened.fd);
         return outcome;
       }},
      {"unlink", "u", true, [] { return check(::unlink(at("u").c_str())); }},
      {"rmdir", "e", true, [] { return check(::rmdir(at("e").c_str())); }},
      {"mkdir", "n_dir", true, [] { return check(::mkdir(at("n_dir").c_str(), 0755)); }},
      {"mknod", "n_fifo", true,
       [] { return check(::mknod(at("n_fifo").c_str(), S_IFIFO | 0644, 0)); }},
      {"rename_within", "r", true,
       [] { return check(::rename(at("r").c_str(), at("r2").c_str())); }},
      {"rename_into", "ri", true,
       [] { return check(::rename(at("ri").c_str(), at("d/ri").c_str())); }},
      {"rename_out_of", "d/out", true,
       [] { return check(::rename(at("d/out").c_str(), at("out").c_str())); }},
      {"link", "f", true, [] { return check(::link(at("f").c_str(), at("n_link").c_str())); }},
      {"symlink", "n_sym", true, [] { return check(::symlink("f", at("n_sym").c_str())); }},
      {"chmod", "f", true, [] { return check(::chmod(at("f").c_str(), 0640)); }},
      // To the owner it has: a change all the same (ctime), refused in RO.
      {"chown", "f", true,
       [] {
         struct stat st {};
         if (::stat(at("f").c_str(), &st) != 0) return failed(errno);
         return check(::chown(at("f").c_str(), st.st_uid, st.st_gid));
       }},
      {"utimensat", "f", true,
       [times] { return check(::utimensat(AT_FDCWD, at("f").c_str(), times, 0)); }},
      {"setxattr", "f", true,
       [] { return check(::setxattr(at("f").c_str(), "user.svh-new", "v", 1, 0)); }},
      {"removexattr", "f", true, [] { return check(::removexattr(at("f").c_str(), kGoneXattr)); }},
  };
}

std::string jsonString(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
      out += escaped;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string errnoName(int error) {
  const char* name = strerrorname_np(error);
  return name ? name : std::to_string(error);
}

bool refusal(int error) {
  return error == EROFS || error == EACCES || error == EPERM;
}

int probe(bool read_only) {
  struct stat st {};
  if (::stat(at("f").c_str(), &st) != 0) {
    std::fprintf(stderr, "svh-probe: no fixture in %s (run 'svh-probe fill %s' first): %s\n",
                 dir.c_str(), dir.c_str(), std::strerror(errno));
    return 3;
  }
  bool all_ok = true;
  for (const auto& op : operations()) {
    Outcome outcome = op.run();
    bool expect_failure = read_only && op.mutating;
    bool as_expected =
        expect_failure ? refusal(outcome.error) : outcome.error == 0 && outcome.detail.empty();
    all_ok &= as_expected;
    std::string line = "{\"op\":" + jsonString(op.name) +
                       ",\"kind\":" + jsonString(op.mutating ? "mutating" : "read") +
                       ",\"path\":" + jsonString(op.path);
    if (!outcome.via.empty()) line += ",\"via\":" + jsonString(outcome.via);
    line += ",\"errno\":" + std::to_string(outcome.error) + ",\"error\":" +
            (outcome.error == 0 ? std::string("null") : jsonString(errnoName(outcome.error)));
    if (!outcome.detail.empty()) line += ",\"detail\":" + jsonString(outcome.detail);
    line += ",\"expected\":" + jsonString(expect_failure ? "EROFS|EACCES|EPERM" : "0") +
            ",\"ok\":" + (as_expected ? "true" : "false") + "}\n";
    std::fputs(line.c_str(), stdout);
  }
  std::fflush(stdout);
  return all_ok ? 0 : 1;
}

bool writeFile(const std::string& relative, const std::string& content) {
  int fd = ::open(at(relative).c_str(), O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0644);
  if (fd < 0) return false;
  bool written =
      ::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size());
  return ::close(fd) == 0 && written;
}

int fill() {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  std::string failure;
  auto step = [&](bool done, const std::string& what) {
    if (!done && failure.empty()) failure = what + ": " + std::strerror(errno);
  };
  step(!ec, "mkdir " + dir);
  step(writeFile("f", kFileContent), "write f");
  ::chmod(at("f").c_str(), 0644);
  step(::setxattr(at("f").c_str(), kXattr, kXattrValue, std::strlen(kXattrValue), 0) == 0,
       std::string("setxattr f ") + kXattr);
  step(::setxattr(at("f").c_str(), kGoneXattr, "1", 1, 0) == 0,
       std::string("setxattr f ") + kGoneXattr);
  step(::mkdir(at("d").c_str(), 0755) == 0, "mkdir d");
  step(writeFile("d/g", kInnerContent), "write d/g");
  step(writeFile("d/out", "moves out of d\n"), "write d/out");
  step(::mkdir(at("e").c_str(), 0755) == 0, "mkdir e");
  step(::symlink("f", at("l").c_str()) == 0, "symlink l");
  for (const char* name : {"t_open", "t_trunc", "t_ftrunc", "w", "a", "u", "r", "ri"}) {
    step(writeFile(name, std::string("probe target ") + name + "\n"), std::string("write ") + name);
  }
  step(writeFile("m", std::string(kMappedSize, 'm')), "write m");
  if (!failure.empty()) {
    std::fprintf(stderr, "svh-probe: cannot fill %s: %s\n", dir.c_str(), failure.c_str());
    return 3;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string mode = argc == 3 ? argv[1] : "";
  if (mode != "fill" && mode != "ro" && mode != "rw") {
    std::fprintf(stderr, "usage: svh-probe fill|ro|rw DIR\n");
    return 2;
  }
  dir = argv[2];
  if (mode == "fill") return fill();
  return probe(mode == "ro");
}
