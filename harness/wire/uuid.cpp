#include "harness/wire/uuid.hpp"

#include <cstdint>
#include <random>

namespace svh::wire {
namespace {

constexpr char kHex[] = "0123456789abcdef";

// Offsets of the dashes in the canonical text form.
constexpr bool isDashPosition(size_t i) {
  return i == 8 || i == 13 || i == 18 || i == 23;
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

int version(std::string_view bytes) {
  return static_cast<unsigned char>(bytes[6]) >> 4;
}

}  // namespace

std::string randomUuidBytes() {
  // One generator per thread, seeded from the OS, so callers on any thread
  // need no locking.
  thread_local std::mt19937_64 engine = [] {
    std::random_device device;
    std::seed_seq seed{device(), device(), device(), device(), device(), device()};
    return std::mt19937_64(seed);
  }();
  std::string bytes(kUuidSize, '\0');
  for (size_t i = 0; i < kUuidSize; i += 8) {
    uint64_t v = engine();
    for (size_t j = 0; j < 8; ++j) bytes[i + j] = static_cast<char>((v >> (8 * j)) & 0xff);
  }
  bytes[6] = static_cast<char>((static_cast<unsigned char>(bytes[6]) & 0x0f) | 0x40);  // v4
  bytes[8] = static_cast<char>((static_cast<unsigned char>(bytes[8]) & 0x3f) | 0x80);  // RFC 4122
  return bytes;
}

std::string randomUuidString() {
  return *uuidToString(randomUuidBytes());
}

std::optional<std::string> uuidToString(std::string_view bytes) {
  if (bytes.size() != kUuidSize) return std::nullopt;
  std::string text;
  text.reserve(36);
  for (size_t i = 0; i < kUuidSize; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) text += '-';
    const auto b = static_cast<unsigned char>(bytes[i]);
    text += kHex[b >> 4];
    text += kHex[b & 0x0f];
  }
  return text;
}

std::optional<std::string> uuidFromString(std::string_view text) {
  if (text.size() != 36) return std::nullopt;
  std::string bytes;
  bytes.reserve(kUuidSize);
  int high = -1;
  for (size_t i = 0; i < text.size(); ++i) {
    if (isDashPosition(i)) {
      if (text[i] != '-') return std::nullopt;
      continue;
    }
    const int v = hexValue(text[i]);
    if (v < 0) return std::nullopt;
    if (high < 0) {
      high = v;
    } else {
      bytes += static_cast<char>((high << 4) | v);
      high = -1;
    }
  }
  return bytes;
}

bool isMesosAcceptedUuid(std::string_view bytes) {
  if (bytes.size() != kUuidSize) return false;
  const int v = version(bytes);
  return v >= 1 && v <= 5;
}

bool isValidUuid(std::string_view bytes) {
  return isMesosAcceptedUuid(bytes) && (static_cast<unsigned char>(bytes[8]) & 0xc0) == 0x80;
}

}  // namespace svh::wire
