#include "fakes/common/duration.hpp"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <sstream>
#include <utility>

namespace svh::fakes {
namespace {

// Units in the order Mesos prints them, largest first.
const std::pair<const char*, double> kUnits[] = {
    {"weeks", 7 * 24 * 3600e9}, {"days", 24 * 3600e9}, {"hrs", 3600e9}, {"mins", 60e9},
    {"secs", 1e9},              {"ms", 1e6},           {"us", 1e3},     {"ns", 1},
};

}  // namespace

std::optional<Duration> parseDuration(std::string_view text, std::string* error) {
  auto fail = [&]() -> std::optional<Duration> {
    if (error) {
      *error = "invalid duration '" + std::string(text) +
               "': expected a number and a unit (ns, us, ms, secs, mins, hrs, days, weeks)";
    }
    return std::nullopt;
  };
  std::size_t split = 0;
  while (split < text.size() && (std::isdigit(static_cast<unsigned char>(text[split])) ||
                                 text[split] == '.')) {
    ++split;
  }
  if (split == 0 || split == text.size()) return fail();
  std::string number(text.substr(0, split));
  char* end = nullptr;
  double value = std::strtod(number.c_str(), &end);
  if (end != number.c_str() + number.size() || !std::isfinite(value) || value < 0) return fail();
  auto unit = text.substr(split);
  for (const auto& [name, nanos] : kUnits) {
    if (unit == name) return Duration(static_cast<long long>(std::llround(value * nanos)));
  }
  return fail();
}

std::string formatDuration(Duration duration) {
  double nanos = static_cast<double>(duration.count());
  for (const auto& [name, size] : kUnits) {
    if (nanos >= size || size == 1) {
      std::ostringstream out;
      out << nanos / size << name;
      return out.str();
    }
  }
  return "0ns";
}

double toSeconds(Duration duration) { return static_cast<double>(duration.count()) / 1e9; }

}  // namespace svh::fakes
