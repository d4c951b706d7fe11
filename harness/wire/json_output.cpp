// protobuf -> JSON, following stout's JSON::protobuf (see json_codec.hpp).

#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>

#include <charconv>
#include <cmath>
#include <exception>
#include <memory>
#include <string>

#include "harness/wire/base64.hpp"
#include "harness/wire/json_codec.hpp"
#include "harness/wire/message_registry.hpp"

namespace svh::wire {

namespace pb = google::protobuf;
using FD = pb::FieldDescriptor;
using nlohmann::ordered_json;

namespace {

std::string replaceAll(std::string s, std::string_view from, std::string_view to) {
  for (size_t i = s.find(from); i != std::string::npos; i = s.find(from, i + to.size())) {
    s.replace(i, from.size(), to);
  }
  return s;
}

// The v0 twin of a mesos.v1 message (same bytes, v0 schema), or nullptr if
// the message is not a mesos.v1 type or has no twin.
std::unique_ptr<pb::Message> v0Twin(const pb::Message& message) {
  const pb::Descriptor* d = message.GetDescriptor();
  if (d->file()->package() != "mesos.v1") return nullptr;
  std::string name = d->full_name().substr(std::string_view("mesos.v1.").size());
  name = replaceAll(replaceAll(name, "AgentID", "SlaveID"), "AgentInfo", "SlaveInfo");
  std::unique_ptr<pb::Message> twin = newMessage("mesos." + name);
  if (twin) twin->ParsePartialFromString(message.SerializePartialAsString());
  return twin;
}

class Writer {
 public:
  explicit Writer(const JsonOptions& options) : options_(options) {}

  // `v1Names`: we are writing a v0 twin on behalf of a v1 message, so names
  // get Mesos's slave -> agent renaming.
  ordered_json message(const pb::Message& message, bool v1Names) {
    if (options_.viaV0 && !v1Names) {
      if (std::unique_ptr<pb::Message> twin = v0Twin(message)) return this->message(*twin, true);
    }
    ordered_json object = ordered_json::object();
    const pb::Descriptor* descriptor = message.GetDescriptor();
    const pb::Reflection* r = message.GetReflection();
    // field(i) is declaration order, which is the key order Mesos writes.
    for (int i = 0; i < descriptor->field_count(); ++i) {
      const FD* field = descriptor->field(i);
      if (!isWritten(message, field)) continue;
      const std::string name =
          v1Names ? replaceAll(field->name(), "slave", "agent") : field->name();
      if (field->is_map()) {
        object[name] = map(message, field, v1Names);
      } else if (field->is_repeated()) {
        ordered_json array = ordered_json::array();
        const int size = r->FieldSize(message, field);
        for (int j = 0; j < size; ++j) array.push_back(element(message, field, j, v1Names));
        object[name] = std::move(array);
      } else {
        object[name] = singular(message, field, v1Names);
      }
    }
    return object;
  }

 private:
  // The stout rule: set fields, plus unset optional fields whose explicit
  // default is meant to be visible (not deprecated).
  bool isWritten(const pb::Message& message, const FD* field) const {
    const pb::Reflection* r = message.GetReflection();
    if (field->is_repeated()) {
      return r->FieldSize(message, field) > 0 || options_.emptyArrays.count(field->full_name()) > 0;
    }
    return r->HasField(message, field) ||
           (field->has_default_value() && !field->options().deprecated());
  }

  static std::string enumName(const pb::EnumValueDescriptor* value, bool v1Names) {
    return v1Names ? replaceAll(value->name(), "SLAVE", "AGENT") : value->name();
  }

  // Mesos patches its JSON writer to quote infinities, so they read back as
  // the strings its parser accepts for doubles.
  static ordered_json number(double d) {
    if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
    return d;
  }

  static ordered_json bytesOrString(const FD* field, const std::string& s) {
    return field->type() == FD::TYPE_BYTES ? ordered_json(base64Encode(s)) : ordered_json(s);
  }

  // One singular value of `field` (a map entry's value field included).
  ordered_json singular(const pb::Message& message, const FD* field, bool v1Names) {
    const pb::Reflection* r = message.GetReflection();
    switch (field->cpp_type()) {
      case FD::CPPTYPE_BOOL:
        return r->GetBool(message, field);
      case FD::CPPTYPE_INT32:
        return r->GetInt32(message, field);
      case FD::CPPTYPE_INT64:
        return r->GetInt64(message, field);
      case FD::CPPTYPE_UINT32:
        return r->GetUInt32(message, field);
      case FD::CPPTYPE_UINT64:
        return r->GetUInt64(message, field);
      case FD::CPPTYPE_FLOAT:
        return number(r->GetFloat(message, field));
      case FD::CPPTYPE_DOUBLE:
        return number(r->GetDouble(message, field));
      case FD::CPPTYPE_ENUM:
        return enumName(r->GetEnum(message, field), v1Names);
      case FD::CPPTYPE_STRING: {
        std::string scratch;
        return bytesOrString(field, r->GetStringReference(message, field, &scratch));
      }
      case FD::CPPTYPE_MESSAGE:
        return this->message(r->GetMessage(message, field), v1Names);
    }
    return nullptr;
  }

  ordered_json element(const pb::Message& message, const FD* field, int index, bool v1Names) {
    const pb::Reflection* r = message.GetReflection();
    switch (field->cpp_type()) {
      case FD::CPPTYPE_BOOL:
        return r->GetRepeatedBool(message, field, index);
      case FD::CPPTYPE_INT32:
        return r->GetRepeatedInt32(message, field, index);
      case FD::CPPTYPE_INT64:
        return r->GetRepeatedInt64(message, field, index);
      case FD::CPPTYPE_UINT32:
        return r->GetRepeatedUInt32(message, field, index);
      case FD::CPPTYPE_UINT64:
        return r->GetRepeatedUInt64(message, field, index);
      case FD::CPPTYPE_FLOAT:
        return number(r->GetRepeatedFloat(message, field, index));
      case FD::CPPTYPE_DOUBLE:
        return number(r->GetRepeatedDouble(message, field, index));
      case FD::CPPTYPE_ENUM:
        return enumName(r->GetRepeatedEnum(message, field, index), v1Names);
      case FD::CPPTYPE_STRING: {
        std::string scratch;
        return bytesOrString(field, r->GetRepeatedStringReference(message, field, index, &scratch));
      }
      case FD::CPPTYPE_MESSAGE:
        return this->message(r->GetRepeatedMessage(message, field, index), v1Names);
    }
    return nullptr;
  }

  // Map keys are strings in JSON; integral and bool keys are printed.
  static std::string mapKey(const pb::Message& entry, const FD* key) {
    const pb::Reflection* r = entry.GetReflection();
    switch (key->cpp_type()) {
      case FD::CPPTYPE_BOOL:
        return r->GetBool(entry, key) ? "true" : "false";
      case FD::CPPTYPE_INT32:
        return std::to_string(r->GetInt32(entry, key));
      case FD::CPPTYPE_INT64:
        return std::to_string(r->GetInt64(entry, key));
      case FD::CPPTYPE_UINT32:
        return std::to_string(r->GetUInt32(entry, key));
      case FD::CPPTYPE_UINT64:
        return std::to_string(r->GetUInt64(entry, key));
      case FD::CPPTYPE_STRING:
        return r->GetString(entry, key);
      default:  // protobuf allows no other key types
        return "";
    }
  }

  ordered_json map(const pb::Message& message, const FD* field, bool v1Names) {
    const pb::Reflection* r = message.GetReflection();
    ordered_json object = ordered_json::object();
    const int size = r->FieldSize(message, field);
    for (int i = 0; i < size; ++i) {
      const pb::Message& entry = r->GetRepeatedMessage(message, field, i);
      const pb::Descriptor* d = entry.GetDescriptor();
      object[mapKey(entry, d->map_key())] = singular(entry, d->map_value(), v1Names);
    }
    return object;
  }

  const JsonOptions& options_;
};

std::string dumpScalar(const ordered_json& value) {
  return value.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
}

// A finite double in the layout of rapidjson (Mesos's JSON writer): the
// shortest round-trip digits, positional notation while the decimal point
// lies within 21 digits left or 6 digits right of them ("15.0", "0.000001",
// "100000000000000000000.0"), else "1.5e300" / "1e-7" (no '+', no exponent
// padding). Always a '.' or an 'e'.
std::string formatDouble(double d) {
  if (d == 0) return std::signbit(d) ? "-0.0" : "0.0";
  char buffer[64];
  const auto [end, ec] =
      std::to_chars(buffer, buffer + sizeof(buffer), std::fabs(d), std::chars_format::scientific);
  if (ec != std::errc()) return dumpScalar(ordered_json(d));
  // buffer is "D[.DDD]e[+-]XX": collect the digits and the exponent.
  const std::string_view text(buffer, static_cast<size_t>(end - buffer));
  const size_t e = text.find('e');
  std::string digits;
  for (char c : text.substr(0, e)) {
    if (c != '.') digits += c;
  }
  int exponent = 0;
  std::from_chars(text.data() + e + (text[e + 1] == '+' ? 2 : 1), text.data() + text.size(),
                  exponent);
  const int length = static_cast<int>(digits.size());
  const int point = exponent + 1;  // decimal point position after digits[0..point)
  std::string out = d < 0 ? "-" : "";
  if (point >= length && point <= 21) {
    out += digits + std::string(static_cast<size_t>(point - length), '0') + ".0";
  } else if (point > 0 && point <= 21) {
    out += digits.substr(0, static_cast<size_t>(point)) + "." +
           digits.substr(static_cast<size_t>(point));
  } else if (point > -6 && point <= 0) {
    out += "0." + std::string(static_cast<size_t>(-point), '0') + digits;
  } else {
    out += digits.substr(0, 1);
    if (length > 1) out += "." + digits.substr(1);
    out += "e" + std::to_string(point - 1);
  }
  return out;
}

void dumpTo(const ordered_json& value, std::string* out) {
  switch (value.type()) {
    case ordered_json::value_t::object: {
      *out += '{';
      bool first = true;
      for (const auto& [key, item] : value.items()) {
        if (!first) *out += ',';
        first = false;
        *out += dumpScalar(ordered_json(key));
        *out += ':';
        dumpTo(item, out);
      }
      *out += '}';
      return;
    }
    case ordered_json::value_t::array: {
      *out += '[';
      bool first = true;
      for (const auto& item : value) {
        if (!first) *out += ',';
        first = false;
        dumpTo(item, out);
      }
      *out += ']';
      return;
    }
    case ordered_json::value_t::number_float: {
      // Mesos writes NaN bare (not valid JSON); infinities never get here
      // from toJson() (they are strings), but write them as Mesos would.
      const double d = value.get<double>();
      if (std::isnan(d)) {
        *out += "NaN";
      } else if (std::isinf(d)) {
        *out += d > 0 ? "\"Infinity\"" : "\"-Infinity\"";
      } else {
        *out += formatDouble(d);
      }
      return;
    }
    default:
      *out += dumpScalar(value);
  }
}

}  // namespace

ordered_json toJson(const pb::Message& message, const JsonOptions& options) {
  return Writer(options).message(message, /*v1Names=*/false);
}

std::string dumpMesosJson(const ordered_json& value) {
  std::string out;
  try {
    dumpTo(value, &out);
  } catch (const std::exception&) {
    // Only allocation failure can get here; the replace handler covers
    // invalid UTF-8.
    return "null";
  }
  return out;
}

std::string toJsonString(const pb::Message& message, const JsonOptions& options) {
  return dumpMesosJson(toJson(message, options));
}

}  // namespace svh::wire
