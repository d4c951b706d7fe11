#pragma once

// Looks up our generated protobuf types by full name, e.g. the message name
// in a libprocess path (/master/mesos.internal.RegisterSlaveMessage).
//
// Why a function and not DescriptorPool::generated_pool() directly: svh_wire
// is a static library, so a program that never names a generated class
// would not link that .pb.o and its types would be missing from the pool.
// This translation unit names one type of every generated file.

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>

#include <memory>
#include <string_view>

namespace svh::wire {

// The descriptor of a message type we model (v1, v0, mesos.internal), or
// nullptr if we do not model it.
const google::protobuf::Descriptor* findMessageType(std::string_view fullName);

// A new, empty message of that type, or nullptr if we do not model it.
std::unique_ptr<google::protobuf::Message> newMessage(std::string_view fullName);

}  // namespace svh::wire
