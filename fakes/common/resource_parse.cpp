#include "fakes/common/resource_parse.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <utility>
#include <vector>

#include "fakes/common/resource_format.hpp"
#include "fakes/common/resource_validation.hpp"
#include "harness/wire/json_codec.hpp"

namespace svh::fakes {

using mesos::v1::Value;

namespace {

// Splits on any of `separators`, dropping empty pieces (stout tokenize).
std::vector<std::string> tokenize(std::string_view text, std::string_view separators) {
  std::vector<std::string> tokens;
  std::string current;
  for (char c : text) {
    if (separators.find(c) != std::string_view::npos) {
      if (!current.empty()) tokens.push_back(std::move(current));
      current.clear();
    } else {
      current += c;
    }
  }
  if (!current.empty()) tokens.push_back(std::move(current));
  return tokens;
}

std::string trim(std::string_view text) {
  constexpr std::string_view kWhitespace = " \t\n\r";
  auto begin = text.find_first_not_of(kWhitespace);
  if (begin == std::string_view::npos) return {};
  auto end = text.find_last_not_of(kWhitespace);
  return std::string(text.substr(begin, end - begin + 1));
}

bool bracketsBalanced(const std::string& text, char open, char close) {
  int depth = 0;
  for (char c : text) {
    if (c == open) ++depth;
    if (c == close) --depth;
    if (depth < 0) return false;
  }
  return depth == 0;
}

bool startsWithHexPrefix(const std::string& text) {
  std::string_view rest = text;
  if (!rest.empty() && rest.front() == '-') rest.remove_prefix(1);
  return rest.size() >= 2 && rest[0] == '0' && (rest[1] == 'x' || rest[1] == 'X');
}

// A range bound: decimal digits (optionally '+'-prefixed) or 0x-hex.
std::optional<std::uint64_t> parseBound(const std::string& text) {
  if (text.empty()) return std::nullopt;
  int base = 10;
  std::string digits = text;
  if (startsWithHexPrefix(text) && text.front() != '-') {
    base = 16;
    digits = text.substr(2);
  } else if (digits.front() == '+') {
    digits = digits.substr(1);
  }
  if (digits.empty()) return std::nullopt;
  for (char c : digits) {
    bool ok = base == 10 ? std::isdigit(static_cast<unsigned char>(c)) != 0
                         : std::isxdigit(static_cast<unsigned char>(c)) != 0;
    if (!ok) return std::nullopt;
  }
  errno = 0;
  char* end = nullptr;
  unsigned long long value = std::strtoull(digits.c_str(), &end, base);
  if (errno == ERANGE || end != digits.c_str() + digits.size()) return std::nullopt;
  return value;
}

std::optional<double> parseNumber(const std::string& text) {
  if (text.empty() || startsWithHexPrefix(text)) return std::nullopt;
  errno = 0;
  char* end = nullptr;
  double value = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size()) return std::nullopt;
  return value;
}

void coalesce(Value::Ranges* ranges) {
  std::vector<std::pair<std::uint64_t, std::uint64_t>> list;
  for (const auto& range : ranges->range()) list.emplace_back(range.begin(), range.end());
  std::sort(list.begin(), list.end());
  std::vector<std::pair<std::uint64_t, std::uint64_t>> merged;
  for (const auto& [begin, end] : list) {
    if (!merged.empty() && begin <= merged.back().second + 1) {
      merged.back().second = std::max(merged.back().second, end);
    } else {
      merged.emplace_back(begin, end);
    }
  }
  ranges->clear_range();
  for (const auto& [begin, end] : merged) {
    auto* range = ranges->add_range();
    range->set_begin(begin);
    range->set_end(end);
  }
}

// Mesos values::parse: the value part of "name:value".
Result<Value> parseValue(const std::string& text) {
  std::string compact;
  std::copy_if(text.begin(), text.end(), std::back_inserter(compact),
               [](char c) { return c != ' '; });
  if (compact.empty()) return Error{"Expecting non-empty string"};
  if (!bracketsBalanced(compact, '{', '}') || !bracketsBalanced(compact, '[', ']') ||
      !bracketsBalanced(compact, '(', ')')) {
    return Error{"Mismatched brackets"};
  }

  Value value;
  auto square = compact.find('[');
  if (square == 0) {
    value.set_type(Value::RANGES);
    auto bounds = tokenize(compact, "[]-,\n");
    if (bounds.size() % 2 != 0) return Error{"Expecting one or more \"ranges\""};
    for (std::size_t i = 0; i < bounds.size(); i += 2) {
      auto begin = parseBound(bounds[i]);
      auto end = parseBound(bounds[i + 1]);
      if (!begin || !end) {
        return Error{"Expecting non-negative integers in '" + bounds[i] + "'"};
      }
      auto* range = value.mutable_ranges()->add_range();
      range->set_begin(*begin);
      range->set_end(*end);
    }
    coalesce(value.mutable_ranges());
    return value;
  }
  if (square != std::string::npos) return Error{"Unexpected '[' found"};

  auto curly = compact.find('{');
  if (curly == 0) {
    value.set_type(Value::SET);
    auto* set = value.mutable_set();
    for (auto& item : tokenize(compact, "{},\n")) set->add_item(item);
    return value;
  }
  if (curly != std::string::npos) return Error{"Unexpected '{' found"};

  // A number we can work with is a scalar; anything else is text.
  auto number = parseNumber(compact);
  if (number) {
    switch (std::fpclassify(*number)) {
      case FP_SUBNORMAL:
        return Error{"Subnormal values not supported"};
      case FP_INFINITE:
      case FP_NAN:
        number.reset();
        break;
      case FP_NORMAL:
        if (*number < 0) number.reset();
        break;
      default:
        break;
    }
  }
  if (number) {
    value.set_type(Value::SCALAR);
    value.mutable_scalar()->set_value(*number);
  } else {
    value.set_type(Value::TEXT);
    value.mutable_text()->set_value(compact);
  }
  return value;
}

// Mesos's extra rules for resources given on the command line.
Problem checkCommandLine(const Resources& resources) {
  std::map<std::string, Value::Type> types;
  for (const auto& entry : resources.entries()) {
    const Resource& resource = entry.resource;
    if (isPersistentVolume(resource)) {
      return "Persistent volumes cannot be specified at the command line";
    }
    if (resource.has_revocable()) {
      return "Revocable resources cannot be specified at the command line; do not include a "
             "'revocable' key in the resources JSON";
    }
    if (isDynamicallyReserved(resource)) {
      return "Dynamic reservations cannot be specified at the command line; do not include a "
             "reservation with DYNAMIC type in the resources JSON";
    }
    auto [known, inserted] = types.emplace(resource.name(), resource.type());
    if (!inserted && known->second != resource.type()) {
      return "Resources with the same name ('" + resource.name() +
             "') but different types are not allowed";
    }
  }
  return std::nullopt;
}

// `resources` with `resource` added, or why it cannot be.
Problem addChecked(Resources* resources, const Resource& resource, const std::string& where) {
  if (auto error = validateResource(resource)) return *error + " in " + where;
  resources->add(resource);
  return std::nullopt;
}

Result<Resources> parseText(std::string_view text, const std::string& default_role) {
  Resources resources;
  for (const auto& token : tokenize(text, ";")) {
    auto parts = tokenize(token, ":");
    if (parts.size() != 2) {
      return Error{"Bad value for resources, missing or extra ':' in " + token};
    }

    std::string name;
    std::string role = default_role;
    auto open = parts[0].find('(');
    if (open == std::string::npos) {
      name = trim(parts[0]);
    } else {
      auto close = parts[0].find(')');
      if (close == std::string::npos || close < open) {
        return Error{"Bad value for resources, mismatched parentheses in " + token};
      }
      name = trim(std::string_view(parts[0]).substr(0, open));
      role = trim(std::string_view(parts[0]).substr(open + 1, close - open - 1));
    }

    auto resource = parseResource(name, parts[1], role);
    if (!resource) return Error{resource.error()};
    if (auto error = addChecked(&resources, *resource, "'" + token + "'")) return Error{*error};
  }
  return resources;
}

Result<Resources> parseJsonArray(const nlohmann::json& array, const std::string& default_role) {
  Resources resources;
  for (std::size_t i = 0; i < array.size(); ++i) {
    Resource resource;
    if (auto error = wire::fromJson(array[i], &resource)) {
      return Error{"Some JSON resources were not formatted properly: " + *error};
    }
    if (!resource.has_role() && resource.reservations_size() == 0) {
      resource.set_role(default_role);
    }
    const std::string where = "resource " + std::to_string(i) + " of the JSON array";
    if (auto error = upgradeResource(&resource)) return Error{*error + " in " + where};
    if (auto error = addChecked(&resources, resource, where)) return Error{*error};
  }
  return resources;
}

}  // namespace

Result<Resource> parseResource(const std::string& name, const std::string& value,
                               const std::string& role) {
  auto parsed = parseValue(value);
  if (!parsed) {
    return Error{"Failed to parse resource " + name + " value " + value + " error " +
                 parsed.error()};
  }

  Resource resource;
  resource.set_name(name);
  if (role != "*") {
    auto* reservation = resource.add_reservations();
    reservation->set_type(Resource::ReservationInfo::STATIC);
    reservation->set_role(role);
  }
  switch (parsed->type()) {
    case Value::SCALAR:
      resource.set_type(Value::SCALAR);
      *resource.mutable_scalar() = parsed->scalar();
      break;
    case Value::RANGES:
      resource.set_type(Value::RANGES);
      *resource.mutable_ranges() = parsed->ranges();
      break;
    case Value::SET:
      resource.set_type(Value::SET);
      *resource.mutable_set() = parsed->set();
      break;
    default:
      return Error{"Bad type for resource " + name + " value " + value + " type " +
                   Value::Type_Name(parsed->type())};
  }
  return resource;
}

Result<Resources> parseResourcesFlag(std::string_view text, const std::string& default_role) {
  // A JSON array if it looks like one (Mesos tries JSON first and falls
  // back to the text syntax; text starting with '[' is never valid there).
  std::string trimmed = trim(text);
  Result<Resources> parsed = Resources();
  if (!trimmed.empty() && trimmed.front() == '[') {
    nlohmann::json json = nlohmann::json::parse(trimmed, nullptr, /*allow_exceptions=*/false);
    if (json.is_discarded() || !json.is_array()) {
      return Error{"Resources look like JSON but are not a valid JSON array: " + trimmed};
    }
    parsed = parseJsonArray(json, default_role);
  } else {
    parsed = parseText(text, default_role);
  }
  if (!parsed) return parsed;
  if (auto error = checkCommandLine(*parsed)) return Error{*error};
  return parsed;
}

}  // namespace svh::fakes
