#include "fakes/master/core/authorization.hpp"

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "fakes/common/resources.hpp"
#include "harness/wire/json_codec.hpp"

namespace svh::master::authorization {

using mesos::v1::Resource;
using Operation = mesos::v1::Offer::Operation;
using Json = nlohmann::json;

const char* actionName(Action action) {
  switch (action) {
    case Action::kReserveResources:
      return "RESERVE_RESOURCES";
    case Action::kUnreserveResources:
      return "UNRESERVE_RESOURCES";
    case Action::kCreateVolume:
      return "CREATE_VOLUME";
    case Action::kDestroyVolume:
      return "DESTROY_VOLUME";
    case Action::kResizeVolume:
      return "RESIZE_VOLUME";
  }
  return "UNKNOWN";
}

// ------------------------------------------------------------------ parsing

namespace {

// Each ACL kind: its key in ACLs, the key of its object entity, and where
// its rules go.
struct AclKind {
  const char* key;
  const char* objects;
  std::vector<Acl> Acls::*rules;
};

const std::vector<AclKind>& aclKinds() {
  static const std::vector<AclKind> kinds = {
      {"reserve_resources", "roles", &Acls::reserve_resources},
      {"unreserve_resources", "reserver_principals", &Acls::unreserve_resources},
      {"create_volumes", "roles", &Acls::create_volumes},
      {"destroy_volumes", "creator_principals", &Acls::destroy_volumes},
      {"resize_volumes", "roles", &Acls::resize_volumes},
  };
  return kinds;
}

// ACL kinds Mesos knows that this master does not enforce: named in the
// error so that a user sees why their rules are refused.
bool isOtherMesosAcl(const std::string& key) {
  static const std::set<std::string> others = {
      "register_frameworks",
      "run_tasks",
      "teardown_frameworks",
      "update_weights",
      "get_endpoints",
      "get_quotas",
      "update_quotas",
      "view_frameworks",
      "view_tasks",
      "view_executors",
      "access_sandboxes",
      "access_mesos_logs",
      "view_roles",
      "view_flags",
      "launch_nested_containers_as_user",
      "launch_nested_containers_under_parent_with_user",
      "kill_nested_containers",
      "wait_nested_containers",
      "launch_nested_container_sessions_as_user",
      "launch_nested_container_sessions_under_parent_with_user",
      "attach_containers_input",
      "attach_containers_output",
      "view_containers",
      "set_log_level",
      "remove_nested_containers",
      "register_agents",
      "update_maintenance_schedules",
      "get_maintenance_schedules",
      "start_maintenances",
      "stop_maintenances",
      "get_maintenance_statuses",
      "drain_agents",
      "deactivate_agents",
      "reactivate_agents",
      "mark_agents_gone",
      "launch_standalone_containers",
      "kill_standalone_containers",
      "wait_standalone_containers",
      "remove_standalone_containers",
      "view_standalone_containers",
      "modify_resource_provider_configs",
      "mark_resource_providers_gone",
      "view_resource_providers",
      "prune_images",
      "create_block_disks",
      "destroy_block_disks",
      "create_mount_disks",
      "destroy_mount_disks",
      "destroy_raw_disks",
  };
  return others.count(key) > 0;
}

Result<Entity> parseEntity(const Json& json, const std::string& where) {
  if (!json.is_object()) return Error{where + " must be a JSON object"};
  Entity entity;
  for (auto it = json.begin(); it != json.end(); ++it) {
    if (it.key() == "type") {
      if (it->is_null()) continue;
      if (!it->is_string()) return Error{where + ".type must be \"SOME\", \"ANY\" or \"NONE\""};
      auto name = it->get<std::string>();
      if (name == "SOME") {
        entity.type = Entity::Type::kSome;
      } else if (name == "ANY") {
        entity.type = Entity::Type::kAny;
      } else if (name == "NONE") {
        entity.type = Entity::Type::kNone;
      } else {
        return Error{where + ".type '" + name + "' is not SOME, ANY or NONE"};
      }
    } else if (it.key() == "values") {
      if (it->is_null()) continue;
      if (it->is_string()) {
        entity.values.push_back(it->get<std::string>());
        continue;
      }
      if (!it->is_array()) return Error{where + ".values must be a list of strings"};
      for (const auto& value : *it) {
        if (!value.is_string()) return Error{where + ".values must be a list of strings"};
        entity.values.push_back(value.get<std::string>());
      }
    } else {
      return Error{where + " has an unknown key '" + it.key() + "'"};
    }
  }
  return entity;
}

}  // namespace

Result<Acls> parseAcls(const std::string& text) {
  auto json = Json::parse(text, nullptr, false);
  if (json.is_discarded()) return Error{"not valid JSON"};
  if (!json.is_object()) return Error{"expecting a JSON object of ACLs"};
  Acls acls;
  for (auto it = json.begin(); it != json.end(); ++it) {
    const std::string& key = it.key();
    if (key == "permissive") {
      if (!it->is_boolean()) return Error{"'permissive' must be true or false"};
      acls.permissive = it->get<bool>();
      continue;
    }
    const AclKind* kind = nullptr;
    for (const auto& candidate : aclKinds()) {
      if (key == candidate.key) kind = &candidate;
    }
    if (!kind) {
      if (isOtherMesosAcl(key)) {
        return Error{"'" + key +
                     "' ACLs are not enforced by svh-master (it enforces reserve_resources, "
                     "unreserve_resources, create_volumes, destroy_volumes, resize_volumes)"};
      }
      return Error{"unknown key '" + key + "'"};
    }
    if (it->is_null()) continue;
    if (!it->is_array()) return Error{"'" + key + "' must be a list of rules"};
    int index = 0;
    for (const auto& rule : *it) {
      std::string where = key + "[" + std::to_string(index++) + "]";
      if (!rule.is_object()) return Error{where + " must be a JSON object"};
      for (auto field = rule.begin(); field != rule.end(); ++field) {
        if (field.key() != "principals" && field.key() != kind->objects) {
          return Error{where + " has an unknown key '" + field.key() + "'"};
        }
      }
      for (const char* required : {"principals", kind->objects}) {
        if (!rule.contains(required) || rule[required].is_null()) {
          return Error{where + " needs '" + required + "'"};
        }
      }
      auto subjects = parseEntity(rule["principals"], where + ".principals");
      if (!subjects) return Error{subjects.error()};
      auto objects = parseEntity(rule[kind->objects], where + "." + kind->objects);
      if (!objects) return Error{objects.error()};
      (acls.*(kind->rules)).push_back(Acl{*subjects, *objects});
    }
  }
  return acls;
}

Result<Acls> readAcls(const std::string& flag) {
  std::string path;
  if (flag.rfind("file://", 0) == 0) {
    path = flag.substr(7);
  } else if (flag.rfind("/", 0) == 0) {
    path = flag;
  }
  if (path.empty()) return parseAcls(flag);
  std::ifstream in(path);
  if (!in) return Error{"cannot read ACLs file '" + path + "'"};
  std::stringstream text;
  text << in.rdbuf();
  auto acls = parseAcls(text.str());
  if (!acls) return Error{"ACLs file '" + path + "': " + acls.error()};
  return acls;
}

// ------------------------------------------------------------ action objects

std::string ActionObject::describe() const {
  std::string name = actionName(action);
  if (!resource) return "perform action " + name + " on ANY object";
  // jsonify(JSON::Protobuf(authorization::Object)): fields in declaration
  // order, `value` (1) before `resource` (8).
  nlohmann::ordered_json object;
  object["value"] = value;
  object["resource"] = wire::toJson(*resource);
  return "perform action " + name + " on object " + wire::dumpMesosJson(object);
}

namespace {

// The role of the most refined reservation, "*" when unreserved (Mesos
// getReservationRole).
std::string reservationRole(const Resource& resource) {
  return fakes::reservationRole(resource);
}

ActionObject withResource(Action action, const Resource& resource, std::string value) {
  return ActionObject{action, resource, std::move(value)};
}

void pushReserveObjects(const fakes::Resources& resources, std::vector<ActionObject>* out) {
  std::set<std::string> roles;
  for (const auto& resource : resources.toVector()) {
    std::string role = reservationRole(resource);
    if (roles.insert(role).second) {
      out->push_back(withResource(Action::kReserveResources, resource, role));
    }
  }
}

void pushUnreserveObjects(const fakes::Resources& resources, std::vector<ActionObject>* out) {
  bool without_principal = false;
  for (const auto& resource : resources.toVector()) {
    int size = resource.reservations_size();
    if (size > 0 && resource.reservations(size - 1).has_principal()) {
      out->push_back(withResource(Action::kUnreserveResources, resource,
                                  resource.reservations(size - 1).principal()));
    } else {
      without_principal = true;
    }
  }
  if (without_principal) out->push_back(ActionObject{Action::kUnreserveResources, {}, {}});
}

fakes::Resources popReservation(const fakes::Resources& resources) {
  fakes::Resources popped;
  for (auto resource : resources.toVector()) {
    if (resource.reservations_size() > 0) resource.mutable_reservations()->RemoveLast();
    popped += fakes::Resources(resource);
  }
  return popped;
}

fakes::Resources pushReservation(const fakes::Resources& resources,
                                 const Resource::ReservationInfo& reservation) {
  fakes::Resources pushed;
  for (auto resource : resources.toVector()) {
    *resource.add_reservations() = reservation;
    pushed += fakes::Resources(resource);
  }
  return pushed;
}

std::vector<ActionObject> reserveObjects(const Operation::Reserve& reserve) {
  std::vector<ActionObject> out;
  if (reserve.source().empty()) {
    pushReserveObjects(fakes::Resources(reserve.resources()), &out);
    return out;
  }
  if (reserve.resources().empty()) return out;
  // The common ancestor of the source's and the target's reservation
  // stacks (Resources::getReservationAncestor looks at the first resource
  // of each).
  const Resource& first_source = reserve.source(0);
  const Resource& first_target = reserve.resources(0);
  int common = 0;
  int limit = std::min(first_source.reservations_size(), first_target.reservations_size());
  while (common < limit && fakes::sameReservation(first_source.reservations(common),
                                                  first_target.reservations(common))) {
    ++common;
  }
  fakes::Resources source(reserve.source());
  for (int depth = first_source.reservations_size(); depth > common; --depth) {
    pushUnreserveObjects(source, &out);
    source = popReservation(source);
  }
  for (int level = common; level < first_target.reservations_size(); ++level) {
    source = pushReservation(source, first_target.reservations(level));
    pushReserveObjects(source, &out);
  }
  return out;
}

std::vector<ActionObject> createObjects(const Operation::Create& create) {
  std::vector<ActionObject> out;
  std::set<std::string> roles;
  for (const auto& volume : create.volumes()) {
    std::string role = reservationRole(volume);
    if (roles.insert(role).second) {
      out.push_back(withResource(Action::kCreateVolume, volume, role));
    }
  }
  if (out.empty()) out.push_back(ActionObject{Action::kCreateVolume, {}, {}});
  return out;
}

std::vector<ActionObject> destroyObjects(const Operation::Destroy& destroy) {
  std::vector<ActionObject> out;
  for (const auto& volume : destroy.volumes()) {
    if (volume.has_disk() && volume.disk().has_persistence()) {
      out.push_back(
          withResource(Action::kDestroyVolume, volume, volume.disk().persistence().principal()));
    }
  }
  if (out.empty()) out.push_back(ActionObject{Action::kDestroyVolume, {}, {}});
  return out;
}

}  // namespace

std::vector<ActionObject> actionObjects(const Operation& operation) {
  switch (operation.type()) {
    case Operation::RESERVE:
      return reserveObjects(operation.reserve());
    case Operation::UNRESERVE: {
      std::vector<ActionObject> out;
      pushUnreserveObjects(fakes::Resources(operation.unreserve().resources()), &out);
      return out;
    }
    case Operation::CREATE:
      return createObjects(operation.create());
    case Operation::DESTROY:
      return destroyObjects(operation.destroy());
    case Operation::GROW_VOLUME: {
      const auto& volume = operation.grow_volume().volume();
      return {withResource(Action::kResizeVolume, volume, reservationRole(volume))};
    }
    case Operation::SHRINK_VOLUME: {
      const auto& volume = operation.shrink_volume().volume();
      return {withResource(Action::kResizeVolume, volume, reservationRole(volume))};
    }
    default:
      return {};
  }
}

// --------------------------------------------------------------- the matrix

namespace {

using Type = Entity::Type;

bool subset(const Entity& request, const Entity& acl) {
  for (const auto& value : request.values) {
    if (std::find(acl.values.begin(), acl.values.end(), value) == acl.values.end()) return false;
  }
  return true;
}

// Whether a rule applies to a request (Mesos's match matrix): NONE only
// matches NONE; ANY matches ANY and NONE; SOME matches ANY, NONE, and SOME
// holding all its values.
bool matches(const Entity& request, const Entity& acl) {
  switch (request.type) {
    case Type::kNone:
      return acl.type == Type::kNone;
    case Type::kAny:
      return acl.type == Type::kAny || acl.type == Type::kNone;
    case Type::kSome:
      return acl.type != Type::kSome || subset(request, acl);
  }
  return false;
}

// Whether the rule that applies allows it (Mesos's allow matrix): NONE is
// allowed by NONE only; ANY by ANY only; SOME by ANY, or by SOME holding
// all its values.
bool allows(const Entity& request, const Entity& acl) {
  switch (request.type) {
    case Type::kNone:
      return acl.type == Type::kNone;
    case Type::kAny:
      return acl.type == Type::kAny;
    case Type::kSome:
      return acl.type == Type::kAny || (acl.type == Type::kSome && subset(request, acl));
  }
  return false;
}

// The first rule that matches decides; none matching is `permissive`.
bool decide(const std::vector<Acl>& rules, const Entity& subject, const Entity& object,
            bool permissive) {
  for (const auto& rule : rules) {
    if (matches(subject, rule.subjects) && matches(object, rule.objects)) {
      return allows(subject, rule.subjects) && allows(object, rule.objects);
    }
  }
  return permissive;
}

// Role rules (reserve, create, resize): a rule naming a single "a/%" role
// covers every strict sub-role of "a" (LocalHierarchicalRoleApprover); other
// rules apply as above. A multi-valued rule is split so that each "x/%"
// value stands alone, as Mesos does.
bool decideRoles(const std::vector<Acl>& rules, const Entity& subject, const Entity& object,
                 bool permissive) {
  auto recursive = [](const std::string& value) {
    return value.size() >= 2 && value.compare(value.size() - 2, 2, "/%") == 0;
  };
  std::vector<Acl> split;
  for (const auto& rule : rules) {
    if (rule.objects.type != Type::kSome) {
      split.push_back(rule);
      continue;
    }
    Acl plain{rule.subjects, Entity{Type::kSome, {}}};
    for (const auto& value : rule.objects.values) {
      if (recursive(value)) {
        split.push_back(Acl{rule.subjects, Entity{Type::kSome, {value}}});
      } else {
        plain.objects.values.push_back(value);
      }
    }
    if (!plain.objects.values.empty()) split.push_back(plain);
  }
  const Entity any{Type::kAny, {}};
  for (const auto& rule : split) {
    bool is_recursive = rule.objects.values.size() == 1 && recursive(rule.objects.values[0]);
    if (!is_recursive) {
      if (matches(subject, rule.subjects) && matches(object, rule.objects)) {
        return allows(subject, rule.subjects) && allows(object, rule.objects);
      }
      continue;
    }
    const std::string& parent = rule.objects.values[0];
    if (object.type == Type::kSome && !object.values.empty() &&
        object.values[0].rfind(parent.substr(0, parent.size() - 1), 0) == 0) {
      if (matches(subject, rule.subjects) && matches(object, any)) {
        return allows(subject, rule.subjects) && allows(object, any);
      }
    }
  }
  return permissive;
}

}  // namespace

bool Authorizer::approved(const std::optional<std::string>& principal,
                          const ActionObject& object) const {
  Entity subject = principal ? Entity{Type::kSome, {*principal}} : Entity{Type::kAny, {}};
  // The object the rules look at: a role (reserve, create, resize), the
  // reserver's principal (unreserve) or the creator's (destroy); ANY when
  // the pair has no object.
  Entity target{Type::kAny, {}};
  if (object.resource) {
    const Resource& resource = *object.resource;
    target.type = Type::kSome;
    switch (object.action) {
      case Action::kReserveResources:
      case Action::kCreateVolume:
      case Action::kResizeVolume:
        target.values.push_back(resource.reservations_size() > 0
                                    ? resource.reservations(resource.reservations_size() - 1).role()
                                    : resource.role());
        break;
      case Action::kUnreserveResources:
        target.values.push_back(
            resource.reservations_size() > 0
                ? resource.reservations(resource.reservations_size() - 1).principal()
                : resource.reservation().principal());
        break;
      case Action::kDestroyVolume:
        target.values.push_back(resource.disk().persistence().principal());
        break;
    }
  }
  switch (object.action) {
    case Action::kReserveResources:
      return decideRoles(acls_.reserve_resources, subject, target, acls_.permissive);
    case Action::kCreateVolume:
      return decideRoles(acls_.create_volumes, subject, target, acls_.permissive);
    case Action::kResizeVolume:
      return decideRoles(acls_.resize_volumes, subject, target, acls_.permissive);
    case Action::kUnreserveResources:
      return decide(acls_.unreserve_resources, subject, target, acls_.permissive);
    case Action::kDestroyVolume:
      return decide(acls_.destroy_volumes, subject, target, acls_.permissive);
  }
  return false;
}

std::optional<ActionObject> Authorizer::firstRefused(
    const std::optional<std::string>& principal, const std::vector<ActionObject>& objects) const {
  for (const auto& object : objects) {
    if (!approved(principal, object)) return object;
  }
  return std::nullopt;
}

std::string refusalMessage(const std::string& framework_principal, const ActionObject& object) {
  return "Principal '" + framework_principal + "' no authorized to " + object.describe();
}

}  // namespace svh::master::authorization
