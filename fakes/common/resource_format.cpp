#include "fakes/common/resource_format.hpp"

#include <google/protobuf/descriptor.h>

#include <functional>
#include <map>
#include <string>

#include "fakes/common/resource_validation.hpp"
#include "fakes/common/resources.hpp"

namespace svh::fakes {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::RepeatedPtrField;
using Reservation = Resource::ReservationInfo;
using Operation = mesos::v1::Offer::Operation;

namespace {

void toPostRefinement(Resource* resource) {
  if (resource->reservations_size() > 0) {
    // Already post-refinement, or the endpoint format: drop the echo.
    resource->clear_role();
    resource->clear_reservation();
    return;
  }
  if (resource->role() == "*") {
    resource->clear_role();
    resource->clear_reservation();
    return;
  }
  Reservation* reservation = resource->add_reservations();
  if (resource->has_reservation()) {
    *reservation = resource->reservation();
    reservation->set_type(Reservation::DYNAMIC);
  } else {
    reservation->set_type(Reservation::STATIC);
  }
  reservation->set_role(resource->role());
  resource->clear_role();
  resource->clear_reservation();
}

// Writes a post-refinement resource's single reservation into the old
// fields; `keep_stack` keeps `reservations` too (endpoint format).
void writeOldFields(Resource* resource, bool keep_stack) {
  switch (resource->reservations_size()) {
    case 0:
      resource->set_role("*");
      return;
    case 1: {
      const Reservation& reservation = resource->reservations(0);
      if (reservation.type() == Reservation::DYNAMIC) {
        Reservation* old = resource->mutable_reservation();
        if (reservation.has_principal()) old->set_principal(reservation.principal());
        if (reservation.has_labels()) *old->mutable_labels() = reservation.labels();
      }
      resource->set_role(reservation.role());
      if (!keep_stack) resource->clear_reservations();
      return;
    }
    default:
      // Refined reservations have no old form.
      return;
  }
}

// Whether messages of `type` can hold a Resource somewhere inside; memoized
// per call because the schemas are recursive (e.g. ContainerID.parent).
bool mayHoldResource(const Descriptor* type, std::map<const Descriptor*, bool>* seen) {
  auto found = seen->find(type);
  if (found != seen->end()) return found->second;
  bool direct = type->full_name() == "mesos.v1.Resource" || type->full_name() == "mesos.Resource";
  (*seen)[type] = direct;  // provisional answer while recursing
  if (direct) return true;
  bool holds = false;
  for (int i = 0; i < type->field_count(); ++i) {
    const Descriptor* nested = type->field(i)->message_type();
    if (nested != nullptr && mayHoldResource(nested, seen)) holds = true;
  }
  (*seen)[type] = holds;
  return holds;
}

// Calls `visit` for every Resource inside `message` (v1 directly; a v0
// mesos.Resource through a v1 copy written back afterwards). Stops at the
// first false.
bool forEachResource(Message* message, const std::function<bool(Resource*)>& visit,
                     std::map<const Descriptor*, bool>* seen) {
  const Descriptor* type = message->GetDescriptor();
  if (type == Resource::descriptor()) return visit(static_cast<Resource*>(message));
  if (type->full_name() == "mesos.Resource") {
    Resource copy;
    copy.ParsePartialFromString(message->SerializePartialAsString());
    bool go_on = visit(&copy);
    message->ParsePartialFromString(copy.SerializePartialAsString());
    return go_on;
  }
  const auto* reflection = message->GetReflection();
  for (int i = 0; i < type->field_count(); ++i) {
    const FieldDescriptor* field = type->field(i);
    const Descriptor* nested = field->message_type();
    if (nested == nullptr || !mayHoldResource(nested, seen)) continue;
    if (field->is_repeated()) {
      int size = reflection->FieldSize(*message, field);
      for (int j = 0; j < size; ++j) {
        if (!forEachResource(reflection->MutableRepeatedMessage(message, field, j), visit, seen)) {
          return false;
        }
      }
    } else if (reflection->HasField(*message, field)) {
      if (!forEachResource(reflection->MutableMessage(message, field), visit, seen)) return false;
    }
  }
  return true;
}

bool forEachResource(Message* message, const std::function<bool(Resource*)>& visit) {
  std::map<const Descriptor*, bool> seen;
  return forEachResource(message, visit, &seen);
}

bool isRefined(const Resource& resource) {
  return resource.reservations_size() > 1;
}

}  // namespace

void convertResourceFormat(Resource* resource, ResourceFormat format) {
  toPostRefinement(resource);
  switch (format) {
    case ResourceFormat::kPostRefinement:
      return;
    case ResourceFormat::kPreRefinement:
      writeOldFields(resource, /*keep_stack=*/false);
      return;
    case ResourceFormat::kEndpoint:
      writeOldFields(resource, /*keep_stack=*/true);
      return;
  }
}

Problem upgradeResource(Resource* resource) {
  if (auto error = validateResource(*resource)) return error;
  toPostRefinement(resource);
  return std::nullopt;
}

Problem upgradeResources(RepeatedPtrField<Resource>* resources) {
  if (auto error = validateResources(*resources)) return error;
  for (Resource& resource : *resources) toPostRefinement(&resource);
  return std::nullopt;
}

Problem upgradeResources(Message* message) {
  Problem error;
  forEachResource(message, [&](Resource* resource) {
    if (auto invalid = validateResource(*resource)) {
      error = "Resource '" + toString(*resource) + "' is invalid: " + *invalid;
      return false;
    }
    return true;
  });
  if (error) return error;
  forEachResource(message, [](Resource* resource) {
    toPostRefinement(resource);
    return true;
  });
  return std::nullopt;
}

bool downgradeResource(Resource* resource) {
  toPostRefinement(resource);
  if (resource->reservations_size() > 1) return false;
  writeOldFields(resource, /*keep_stack=*/false);
  return true;
}

bool downgradeResources(RepeatedPtrField<Resource>* resources) {
  for (const Resource& resource : *resources) {
    if (isRefined(resource)) return false;
  }
  for (Resource& resource : *resources) downgradeResource(&resource);
  return true;
}

bool downgradeResources(Message* message) {
  bool refined =
      !forEachResource(message, [](Resource* resource) { return !isRefined(*resource); });
  if (refined) return false;
  forEachResource(message, [](Resource* resource) {
    downgradeResource(resource);
    return true;
  });
  return true;
}

void toEndpointFormat(Resource* resource) {
  convertResourceFormat(resource, ResourceFormat::kEndpoint);
}

void toEndpointFormat(RepeatedPtrField<Resource>* resources) {
  for (Resource& resource : *resources) toEndpointFormat(&resource);
}

namespace {

Problem checkList(const RepeatedPtrField<Resource>& resources) {
  return validateResources(resources);
}

Problem checkTasks(const RepeatedPtrField<mesos::v1::TaskInfo>& tasks) {
  for (const auto& task : tasks) {
    if (auto error = checkList(task.resources())) return error;
    if (task.has_executor()) {
      if (auto error = checkList(task.executor().resources())) return error;
    }
  }
  return std::nullopt;
}

Problem checkOperation(const Operation& operation) {
  switch (operation.type()) {
    case Operation::RESERVE:
      if (!operation.has_reserve()) {
        return "A RESERVE offer operation must have the Offer.Operation.reserve field set.";
      }
      if (auto error = checkList(operation.reserve().resources())) return error;
      return checkList(operation.reserve().source());
    case Operation::UNRESERVE:
      if (!operation.has_unreserve()) {
        return "An UNRESERVE offer operation must have the Offer.Operation.unreserve field set.";
      }
      return checkList(operation.unreserve().resources());
    case Operation::CREATE:
      if (!operation.has_create()) {
        return "A CREATE offer operation must have the Offer.Operation.create field set.";
      }
      return checkList(operation.create().volumes());
    case Operation::DESTROY:
      if (!operation.has_destroy()) {
        return "A DESTROY offer operation must have the Offer.Operation.destroy field set.";
      }
      return checkList(operation.destroy().volumes());
    case Operation::GROW_VOLUME:
      if (!operation.has_grow_volume()) {
        return "A GROW_VOLUME operation must have the Offer.Operation.grow_volume field set";
      }
      if (auto error = validateResource(operation.grow_volume().volume())) return error;
      return validateResource(operation.grow_volume().addition());
    case Operation::SHRINK_VOLUME:
      if (!operation.has_shrink_volume()) {
        return "A SHRINK_VOLUME offer operation must have the Offer.Operation.shrink_volume "
               "field set";
      }
      return validateResource(operation.shrink_volume().volume());
    case Operation::LAUNCH:
      if (!operation.has_launch()) {
        return "A LAUNCH offer operation must have the Offer.Operation.launch field set.";
      }
      return checkTasks(operation.launch().task_infos());
    case Operation::LAUNCH_GROUP: {
      if (!operation.has_launch_group()) {
        return "A LAUNCH_GROUP offer operation must have the Offer.Operation.launch_group field "
               "set.";
      }
      const auto& group = operation.launch_group();
      if (group.has_executor()) {
        if (auto error = checkList(group.executor().resources())) return error;
      }
      return checkTasks(group.task_group().tasks());
    }
    case Operation::CREATE_DISK:
      if (!operation.has_create_disk()) {
        return "A CREATE_DISK offer operation must have the Offer.Operation.create_disk field "
               "set.";
      }
      return validateResource(operation.create_disk().source());
    case Operation::DESTROY_DISK:
      if (!operation.has_destroy_disk()) {
        return "A DESTROY_DISK offer operation must have the Offer.Operation.destroy_disk field "
               "set.";
      }
      return validateResource(operation.destroy_disk().source());
    default:
      return "Unknown offer operation";
  }
}

}  // namespace

Problem validateAndUpgradeResources(Operation* operation) {
  if (auto error = checkOperation(*operation)) return error;
  // Whatever else the operation carries is converted unchecked, as Mesos
  // does.
  forEachResource(operation, [](Resource* resource) {
    toPostRefinement(resource);
    return true;
  });
  return std::nullopt;
}

}  // namespace svh::fakes
