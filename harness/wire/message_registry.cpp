#include "harness/wire/message_registry.hpp"

#include <string>

#include "mesos/internal/messages.pb.h"
#include "mesos/mesos.pb.h"
#include "mesos/v1/master/master.pb.h"
#include "mesos/v1/mesos.pb.h"
#include "mesos/v1/scheduler/scheduler.pb.h"

namespace svh::wire {
namespace {

// Naming one class per generated file forces the linker to keep that file,
// whose static initializer registers all of its types in the generated pool.
void linkAllGeneratedFiles() {
  static const bool linked = [] {
    (void)mesos::v1::FrameworkID::descriptor();
    (void)mesos::v1::scheduler::Call::descriptor();
    (void)mesos::v1::master::Call::descriptor();
    (void)mesos::FrameworkID::descriptor();
    (void)mesos::internal::StatusUpdate::descriptor();
    return true;
  }();
  (void)linked;
}

}  // namespace

const google::protobuf::Descriptor* findMessageType(std::string_view fullName) {
  linkAllGeneratedFiles();
  return google::protobuf::DescriptorPool::generated_pool()->FindMessageTypeByName(
      std::string(fullName));
}

std::unique_ptr<google::protobuf::Message> newMessage(std::string_view fullName) {
  const google::protobuf::Descriptor* descriptor = findMessageType(fullName);
  if (descriptor == nullptr) return nullptr;
  const google::protobuf::Message* prototype =
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(descriptor);
  if (prototype == nullptr) return nullptr;
  return std::unique_ptr<google::protobuf::Message>(prototype->New());
}

}  // namespace svh::wire
