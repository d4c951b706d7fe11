#include "fakes/agent/disk/mountinfo.hpp"

#include <charconv>
#include <fstream>
#include <sstream>

namespace svh::agent::disk {
namespace {

// mountinfo escapes space, tab, newline and backslash as \ooo.
std::string unescape(std::string_view s) {
  const auto octal = [](char c) { return c >= '0' && c <= '7'; };
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size() && octal(s[i + 1]) && octal(s[i + 2]) && octal(s[i + 3])) {
      out.push_back(
          static_cast<char>(((s[i + 1] - '0') << 6) | ((s[i + 2] - '0') << 3) | (s[i + 3] - '0')));
      i += 3;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

std::vector<std::string_view> fields(std::string_view line) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && line[i] == ' ') ++i;
    size_t j = i;
    while (j < line.size() && line[j] != ' ') ++j;
    if (j > i) out.push_back(line.substr(i, j - i));
    i = j;
  }
  return out;
}

template <typename T>
bool number(std::string_view s, T& value) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  return ec == std::errc() && p == s.data() + s.size();
}

std::optional<MountEntry> parseLine(std::string_view line) {
  const auto f = fields(line);
  // id parent major:minor root mount_point options [optional...] - type source superopts
  if (f.size() < 10) return std::nullopt;
  size_t dash = 6;
  while (dash < f.size() && f[dash] != "-") ++dash;
  if (dash + 2 >= f.size()) return std::nullopt;
  MountEntry e;
  const auto colon = f[2].find(':');
  if (colon == std::string_view::npos || !number(f[0], e.mount_id) || !number(f[1], e.parent_id) ||
      !number(f[2].substr(0, colon), e.major) || !number(f[2].substr(colon + 1), e.minor)) {
    return std::nullopt;
  }
  e.root = unescape(f[3]);
  e.mount_point = unescape(f[4]);
  e.fs_type = std::string(f[dash + 1]);
  e.source = unescape(f[dash + 2]);
  return e;
}

}  // namespace

std::vector<MountEntry> parseMountInfo(std::string_view text) {
  std::vector<MountEntry> out;
  size_t i = 0;
  while (i < text.size()) {
    size_t j = text.find('\n', i);
    if (j == std::string_view::npos) j = text.size();
    if (auto e = parseLine(text.substr(i, j - i))) out.push_back(std::move(*e));
    i = j + 1;
  }
  return out;
}

std::vector<MountEntry> readMountInfo(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) return {};
  std::ostringstream text;
  text << in.rdbuf();
  return parseMountInfo(text.str());
}

std::optional<MountEntry> findMount(const std::vector<MountEntry>& table,
                                    const std::filesystem::path& mount_point) {
  std::optional<MountEntry> found;
  auto normal = mount_point.lexically_normal();
  if (!normal.has_filename() && normal.has_relative_path()) normal = normal.parent_path();
  const std::string want = normal.string();
  for (const auto& e : table) {
    if (e.mount_point == want) found = e;  // later entries are mounted on top
  }
  return found;
}

}  // namespace svh::agent::disk
