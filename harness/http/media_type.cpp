#include "harness/http/media_type.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <string>
#include <vector>

namespace svh::http {
namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return text;
}

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    auto end = text.find(separator, start);
    parts.push_back(text.substr(start, end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return parts;
}

}  // namespace

bool acceptsMediaType(std::optional<std::string_view> accept_header, std::string_view media_type) {
  if (!accept_header) return true;
  std::string wanted = lower(media_type);
  auto slash = wanted.find('/');
  std::string wanted_type = wanted.substr(0, slash);

  // Specificity: 3 exact, 2 type/*, 1 */*; the most specific range decides.
  int best = 0;
  double best_q = 0;
  for (auto part : split(*accept_header, ',')) {
    auto params = split(part, ';');
    std::string range = lower(trim(params[0]));
    double q = 1.0;
    for (std::size_t i = 1; i < params.size(); ++i) {
      auto param = trim(params[i]);
      if (param.size() > 2 && (param[0] == 'q' || param[0] == 'Q') && param[1] == '=') {
        std::string value(param.substr(2));
        q = std::strtod(value.c_str(), nullptr);
      }
    }
    int specificity = 0;
    if (range == wanted) {
      specificity = 3;
    } else if (range == wanted_type + "/*") {
      specificity = 2;
    } else if (range == "*/*") {
      specificity = 1;
    }
    if (specificity > best) {
      best = specificity;
      best_q = q;
    }
  }
  return best > 0 && best_q > 0;
}

}  // namespace svh::http
