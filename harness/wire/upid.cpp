#include "harness/wire/upid.hpp"

namespace svh::wire {
namespace {

bool isSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && isSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && isSpace(s.back())) s.remove_suffix(1);
  return s;
}

std::optional<uint16_t> parsePort(std::string_view s) {
  if (s.empty() || s.size() > 5) return std::nullopt;
  uint32_t value = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<uint32_t>(c - '0');
  }
  if (value > 65535) return std::nullopt;
  return static_cast<uint16_t>(value);
}

}  // namespace

std::optional<Upid> Upid::parse(std::string_view text) {
  text = trim(text);
  const size_t at = text.find('@');
  if (at == std::string_view::npos) return std::nullopt;
  const std::string_view id = text.substr(0, at);
  const std::string_view address = text.substr(at + 1);
  const size_t colon = address.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  const std::string_view host = address.substr(0, colon);
  if (host.empty()) return std::nullopt;
  for (char c : text) {
    if (isSpace(c)) return std::nullopt;
  }
  std::optional<uint16_t> port = parsePort(address.substr(colon + 1));
  if (!port) return std::nullopt;
  return Upid{std::string(id), std::string(host), *port};
}

std::string Upid::str() const {
  return id + "@" + (host.empty() ? std::string("0.0.0.0") : host) + ":" + std::to_string(port);
}

}  // namespace svh::wire
