#include "harness/scenario/digest.hpp"

#include <sys/stat.h>
#include <sys/xattr.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <sstream>
#include <vector>

#include "harness/scenario/files.hpp"

namespace svh::harness {

namespace {

std::uint64_t fnv1a(const std::string& bytes) {
  std::uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : bytes) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  return hash;
}

std::string userXattrs(const std::filesystem::path& path) {
  char names[4096];
  ssize_t length = ::llistxattr(path.c_str(), names, sizeof names);
  if (length <= 0) return "";
  std::vector<std::string> list;
  for (ssize_t i = 0; i < length; i += static_cast<ssize_t>(std::strlen(names + i)) + 1) {
    std::string name(names + i);
    if (name.rfind("user.", 0) != 0) continue;
    char value[4096];
    ssize_t n = ::lgetxattr(path.c_str(), name.c_str(), value, sizeof value);
    list.push_back(name + "=" +
                   (n < 0 ? "<" + std::string(std::strerror(errno)) + ">"
                          : std::string(value, static_cast<std::size_t>(n))));
  }
  std::sort(list.begin(), list.end());
  std::string text;
  for (const auto& item : list) text += " xattr:" + item;
  return text;
}

}  // namespace

std::string contentDigest(const std::filesystem::path& dir) {
  std::vector<std::string> lines;
  auto describe = [&](const std::filesystem::path& path, const std::string& relative) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) {
      lines.push_back(relative + " <" + std::strerror(errno) + ">");
      return;
    }
    std::ostringstream line;
    line << relative << " type=" << std::oct << (st.st_mode & S_IFMT)
         << " mode=" << (st.st_mode & 07777) << std::dec << " owner=" << st.st_uid << ":"
         << st.st_gid << " size=" << st.st_size << " mtime=" << st.st_mtim.tv_sec << "."
         << st.st_mtim.tv_nsec;
    if (S_ISREG(st.st_mode)) {
      line << " content=" << std::hex << fnv1a(readFile(path)) << std::dec;
    } else if (S_ISLNK(st.st_mode)) {
      std::error_code ec;
      line << " target=" << std::filesystem::read_symlink(path, ec).string();
    }
    line << userXattrs(path);
    lines.push_back(line.str());
  };
  describe(dir, ".");
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    describe(it->path(), it->path().lexically_relative(dir).string());
  }
  if (ec) lines.push_back("<cannot list " + dir.string() + ": " + ec.message() + ">");
  std::sort(lines.begin(), lines.end());
  std::string text;
  for (const auto& line : lines) text += line + "\n";
  return text;
}

}  // namespace svh::harness
