// JSON -> protobuf, following stout's protobuf::parse (see json_codec.hpp).

#include <google/protobuf/descriptor.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <exception>
#include <limits>
#include <string>
#include <type_traits>

#include "harness/wire/base64.hpp"
#include "harness/wire/json_codec.hpp"

namespace svh::wire {

namespace pb = google::protobuf;
using FD = pb::FieldDescriptor;

namespace {

using Error = std::optional<std::string>;

std::string quoted(const FD* field) {
  return "'" + field->name() + "'";
}

// Converts a JSON floating point number to an integral field type the way a
// C++ cast would, but refuses values the type cannot hold instead of
// invoking undefined behaviour.
template <class T>
std::optional<T> integralFromDouble(double d) {
  // The bounds are exact powers of two, so the comparisons are exact.
  const double lo = static_cast<double>(std::numeric_limits<T>::min());
  const double hi = std::ldexp(1.0, std::numeric_limits<T>::digits);
  if (!(d >= lo && d < hi)) return std::nullopt;  // also rejects NaN
  return static_cast<T>(d);
}

// Integers keep stout's cast semantics (JSON::Number::as<T>): C++20 makes
// the narrowing conversions modular and well defined.
template <class T, class Json>
std::optional<T> numberAs(const Json& number) {
  if (number.is_number_unsigned()) return static_cast<T>(number.template get<uint64_t>());
  if (number.is_number_integer()) return static_cast<T>(number.template get<int64_t>());
  return integralFromDouble<T>(number.template get<double>());
}

template <class Json>
class Parser {
 public:
  // `depth` is the nesting level of `object` itself (top level = 1).
  Error parseObject(pb::Message* message, const Json& object, int depth) {
    const pb::Descriptor* descriptor = message->GetDescriptor();
    for (const auto& [key, value] : object.items()) {
      const FD* field = descriptor->FindFieldByName(key);
      if (field == nullptr) continue;  // unknown keys are ignored, as in Mesos
      if (Error e = parseValue(message, field, value, depth)) return e;
    }
    return std::nullopt;
  }

 private:
  // Applies `value` (found inside a container at nesting `depth`) to
  // `field` of `message`; repeated fields get one more element.
  Error parseValue(pb::Message* message, const FD* field, const Json& value, int depth) {
    switch (value.type()) {
      case nlohmann::detail::value_t::null:
        return std::nullopt;  // null means unset
      case nlohmann::detail::value_t::object:
        if (depth + 1 > kMaxJsonDepth) return tooDeep();
        return parseObjectValue(message, field, value, depth + 1);
      case nlohmann::detail::value_t::array:
        if (!field->is_repeated()) return "Not expecting a JSON array for field " + quoted(field);
        if (depth + 1 > kMaxJsonDepth) return tooDeep();
        // Elements that are arrays again are flattened, as stout does.
        for (const auto& element : value) {
          if (Error e = parseValue(message, field, element, depth + 1)) return e;
        }
        return std::nullopt;
      case nlohmann::detail::value_t::string:
        return parseString(message, field, value.template get_ref<const std::string&>());
      case nlohmann::detail::value_t::boolean:
        if (field->cpp_type() != FD::CPPTYPE_BOOL) {
          return "Not expecting a JSON boolean for field " + quoted(field);
        }
        set(message, field, value.template get<bool>());
        return std::nullopt;
      case nlohmann::detail::value_t::number_integer:
      case nlohmann::detail::value_t::number_unsigned:
      case nlohmann::detail::value_t::number_float:
        return parseNumber(message, field, value);
      default:
        return "Unexpected JSON value for field " + quoted(field);
    }
  }

  Error parseObjectValue(pb::Message* message, const FD* field, const Json& object, int depth) {
    if (field->cpp_type() != FD::CPPTYPE_MESSAGE) {
      return "Not expecting a JSON object for field " + quoted(field);
    }
    const pb::Reflection* r = message->GetReflection();
    if (field->is_map()) {
      // Each key/value pair is one map entry message {key = 1; value = 2}.
      for (const auto& [key, item] : object.items()) {
        pb::Message* entry = r->AddMessage(message, field);
        const pb::Descriptor* d = entry->GetDescriptor();
        if (Error e = parseValue(entry, d->map_key(), Json(key), depth)) return e;
        if (Error e = parseValue(entry, d->map_value(), item, depth)) return e;
      }
      return std::nullopt;
    }
    pb::Message* child =
        field->is_repeated() ? r->AddMessage(message, field) : r->MutableMessage(message, field);
    return parseObject(child, object, depth);
  }

  Error parseString(pb::Message* message, const FD* field, const std::string& s) {
    switch (field->type()) {
      case FD::TYPE_STRING:
        setString(message, field, s);
        return std::nullopt;
      case FD::TYPE_BYTES: {
        std::string why;
        std::optional<std::string> bytes = base64Decode(s, &why);
        if (!bytes) return "Failed to base64 decode bytes field " + quoted(field) + ": " + why;
        setString(message, field, *bytes);
        return std::nullopt;
      }
      case FD::TYPE_ENUM: {
        const pb::EnumValueDescriptor* v = field->enum_type()->FindValueByName(s);
        if (v == nullptr) {
          // Unknown names of optional enums are dropped, like proto2 does
          // with unknown numbers; required ones cannot be.
          if (field->is_required()) {
            return "Failed to find enum for '" + s + "' in field " + quoted(field);
          }
          return std::nullopt;
        }
        const pb::Reflection* r = message->GetReflection();
        if (field->is_repeated()) {
          r->AddEnum(message, field, v);
        } else {
          r->SetEnum(message, field, v);
        }
        return std::nullopt;
      }
      case FD::TYPE_DOUBLE:
      case FD::TYPE_FLOAT:
        if (s == "Infinity") return setFloating(message, field, HUGE_VAL);
        if (s == "-Infinity") return setFloating(message, field, -HUGE_VAL);
        [[fallthrough]];
      case FD::TYPE_INT32:
      case FD::TYPE_SINT32:
      case FD::TYPE_SFIXED32:
      case FD::TYPE_INT64:
      case FD::TYPE_SINT64:
      case FD::TYPE_SFIXED64:
      case FD::TYPE_UINT32:
      case FD::TYPE_FIXED32:
      case FD::TYPE_UINT64:
      case FD::TYPE_FIXED64: {
        Json number = Json::parse(s, nullptr, /*allow_exceptions=*/false);
        if (!number.is_number()) {
          return "Failed to parse '" + s + "' as a JSON number for field " + quoted(field);
        }
        return parseNumber(message, field, number);
      }
      case FD::TYPE_BOOL:
        if (s == "true" || s == "false") {
          set(message, field, s == "true");
          return std::nullopt;
        }
        return "Failed to parse '" + s + "' as a JSON boolean for field " + quoted(field);
      default:
        return "Not expecting a JSON string for field " + quoted(field);
    }
  }

  Error parseNumber(pb::Message* message, const FD* field, const Json& number) {
    switch (field->cpp_type()) {
      case FD::CPPTYPE_DOUBLE:
      case FD::CPPTYPE_FLOAT:
        return setFloating(message, field, number.template get<double>());
      case FD::CPPTYPE_INT32:
        return setIntegral<int32_t>(message, field, number);
      case FD::CPPTYPE_INT64:
        return setIntegral<int64_t>(message, field, number);
      case FD::CPPTYPE_UINT32:
        return setIntegral<uint32_t>(message, field, number);
      case FD::CPPTYPE_UINT64:
        return setIntegral<uint64_t>(message, field, number);
      default:
        // Enums included: Mesos accepts enum names only.
        return "Not expecting a JSON number for field " + quoted(field);
    }
  }

  template <class T>
  Error setIntegral(pb::Message* message, const FD* field, const Json& number) {
    std::optional<T> v = numberAs<T>(number);
    if (!v) return "Value out of range for field " + quoted(field);
    set(message, field, *v);
    return std::nullopt;
  }

  Error setFloating(pb::Message* message, const FD* field, double d) {
    if (field->cpp_type() == FD::CPPTYPE_DOUBLE) {
      set(message, field, d);
    } else {
      // Out-of-range double -> float is undefined; saturate to infinity.
      const double max = std::numeric_limits<float>::max();
      float f = d > max ? HUGE_VALF : d < -max ? -HUGE_VALF : static_cast<float>(d);
      set(message, field, f);
    }
    return std::nullopt;
  }

  void setString(pb::Message* message, const FD* field, const std::string& s) {
    const pb::Reflection* r = message->GetReflection();
    if (field->is_repeated()) {
      r->AddString(message, field, s);
    } else {
      r->SetString(message, field, s);
    }
  }

  // The C++ type picks the reflection setter; callers have checked that it
  // matches field->cpp_type().
  template <class T>
  void set(pb::Message* message, const FD* field, T v) {
    const pb::Reflection* r = message->GetReflection();
    const bool add = field->is_repeated();
    if constexpr (std::is_same_v<T, bool>) {
      add ? r->AddBool(message, field, v) : r->SetBool(message, field, v);
    } else if constexpr (std::is_same_v<T, int32_t>) {
      add ? r->AddInt32(message, field, v) : r->SetInt32(message, field, v);
    } else if constexpr (std::is_same_v<T, int64_t>) {
      add ? r->AddInt64(message, field, v) : r->SetInt64(message, field, v);
    } else if constexpr (std::is_same_v<T, uint32_t>) {
      add ? r->AddUInt32(message, field, v) : r->SetUInt32(message, field, v);
    } else if constexpr (std::is_same_v<T, uint64_t>) {
      add ? r->AddUInt64(message, field, v) : r->SetUInt64(message, field, v);
    } else if constexpr (std::is_same_v<T, float>) {
      add ? r->AddFloat(message, field, v) : r->SetFloat(message, field, v);
    } else {
      static_assert(std::is_same_v<T, double>);
      add ? r->AddDouble(message, field, v) : r->SetDouble(message, field, v);
    }
  }

  static std::string tooDeep() {
    return "JSON nesting is deeper than " + std::to_string(kMaxJsonDepth) + " levels";
  }
};

template <class Json>
Error fromJsonImpl(const Json& json, pb::Message* message) {
  try {
    message->Clear();
    if (!json.is_object()) return std::string("Expecting a JSON object");
    if (Error e = Parser<Json>().parseObject(message, json, 1)) return e;
    if (!message->IsInitialized()) {
      return "Missing required fields: " + message->InitializationErrorString();
    }
    return std::nullopt;
  } catch (const std::exception& e) {
    return std::string("Failed to convert JSON: ") + e.what();
  }
}

// Nesting depth of JSON text, counted without building anything, so that a
// hostile document is refused before it is parsed. Brackets inside strings
// do not count. Returns early once `limit` is exceeded.
int nestingDepth(std::string_view text, int limit) {
  int depth = 0;
  int deepest = 0;
  bool inString = false;
  bool escaped = false;
  for (char c : text) {
    if (inString) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        inString = false;
      }
      continue;
    }
    if (c == '"') {
      inString = true;
    } else if (c == '{' || c == '[') {
      deepest = std::max(deepest, ++depth);
      if (deepest > limit) return deepest;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return deepest;
}

}  // namespace

std::optional<std::string> fromJson(const nlohmann::json& json, pb::Message* message) {
  return fromJsonImpl(json, message);
}

std::optional<std::string> fromJson(const nlohmann::ordered_json& json, pb::Message* message) {
  return fromJsonImpl(json, message);
}

std::optional<std::string> parseJson(std::string_view text, pb::Message* message) {
  try {
    message->Clear();
    if (nestingDepth(text, kMaxJsonDepth) > kMaxJsonDepth) {
      return "JSON nesting is deeper than " + std::to_string(kMaxJsonDepth) + " levels";
    }
    // nlohmann::json keeps object keys sorted, as stout's JSON::Object
    // does, so fields are applied in the same order as in Mesos.
    nlohmann::json json = nlohmann::json::parse(text.begin(), text.end());
    return fromJson(json, message);
  } catch (const nlohmann::json::parse_error& e) {
    return std::string("Failed to parse JSON: ") + e.what();
  } catch (const std::exception& e) {
    return std::string("Failed to parse JSON: ") + e.what();
  }
}

}  // namespace svh::wire
