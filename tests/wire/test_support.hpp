#pragma once

// Helpers shared by the wire tests: reading recorded data and listing
// unknown protobuf fields.

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <google/protobuf/unknown_field_set.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace svh::wire::test {

inline std::string dataPath(const std::string& relative) {
  return std::string(SVH_TEST_DATA_DIR) + "/" + relative;
}

// Whole file as bytes; empty if missing (tests then fail on content).
inline std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// Every unknown field in the message tree, as "<path>#<number>", where path
// is the dotted field path from the root (repeated elements as [i]). Lets a
// test state exactly which parts of a real Mesos message we do not model.
inline void collectUnknownFields(const google::protobuf::Message& message, const std::string& path,
                                 std::vector<std::string>* out) {
  const google::protobuf::Reflection* r = message.GetReflection();
  const google::protobuf::UnknownFieldSet& unknown = r->GetUnknownFields(message);
  for (int i = 0; i < unknown.field_count(); ++i) {
    out->push_back(path + "#" + std::to_string(unknown.field(i).number()));
  }
  std::vector<const google::protobuf::FieldDescriptor*> fields;
  r->ListFields(message, &fields);
  for (const auto* field : fields) {
    if (field->cpp_type() != google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE) continue;
    const std::string child = path.empty() ? field->name() : path + "." + field->name();
    if (field->is_repeated()) {
      for (int i = 0; i < r->FieldSize(message, field); ++i) {
        collectUnknownFields(r->GetRepeatedMessage(message, field, i),
                             child + "[" + std::to_string(i) + "]", out);
      }
    } else {
      collectUnknownFields(r->GetMessage(message, field), child, out);
    }
  }
}

inline std::vector<std::string> unknownFields(const google::protobuf::Message& message) {
  std::vector<std::string> out;
  collectUnknownFields(message, "", &out);
  return out;
}

}  // namespace svh::wire::test
