#pragma once
// Small text helpers shared by the fakes and the harness.

#include <algorithm>
#include <cctype>
#include <string>

namespace svh::util {

// ASCII lowercase (metric names, type names, check names): "LAUNCH_GROUP" ->
// "launch_group". Bytes outside ASCII are left as they are.
inline std::string lowercase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

}  // namespace svh::util
