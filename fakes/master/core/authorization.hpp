#pragma once
// Authorization of volume and reservation operations as Mesos's default
// ("local") authorizer does it from the master's --acls flag (PV-DESTROY-4,
// the 403 of SV-HTTP-1, PROTOCOL.md 4.1 step 5). Pure code: the master
// builds the action-object pairs of an operation, asks, and refuses.
//
// Mesos sources this follows (read, not copied): src/authorizer/local/
// authorizer.cpp (the match/allow matrices, recursive "role/%" ACLs,
// `permissive`), src/master/authorization.cpp (ActionObject::reserve,
// unreserve, createVolume, destroyVolume, growVolume/shrinkVolume and their
// text), src/common/parse.hpp (--acls is JSON text or a file path).
//
// What a refusal looks like is the caller's business: a framework
// operation is dropped with refusalMessage() (Master::_accept), an
// operator request gets 403 Forbidden with an empty body.

#include <optional>
#include <string>
#include <vector>

#include "harness/util/result.hpp"
#include "mesos/v1/mesos.pb.h"

namespace svh::master::authorization {

// The actions svh-master authorizes, with Mesos's authorization::Action
// names (actionName()).
enum class Action {
  kReserveResources,    // RESERVE_RESOURCES, ACL reserve_resources (object: role)
  kUnreserveResources,  // UNRESERVE_RESOURCES, ACL unreserve_resources (object: reserver)
  kCreateVolume,        // CREATE_VOLUME, ACL create_volumes (object: role)
  kDestroyVolume,       // DESTROY_VOLUME, ACL destroy_volumes (object: creator principal)
  kResizeVolume,        // RESIZE_VOLUME, ACL resize_volumes (object: role)
};
const char* actionName(Action action);

// Mesos ACL.Entity: SOME of `values`, ANY, or NONE.
struct Entity {
  enum class Type { kSome, kAny, kNone };
  Type type = Type::kSome;
  std::vector<std::string> values;
};

// One rule: who (principals) may act on what (roles or principals).
struct Acl {
  Entity subjects;
  Entity objects;
};

// Mesos ACLs, the kinds svh-master enforces. `permissive` decides a request
// no rule matches (Mesos's default: true).
struct Acls {
  bool permissive = true;
  std::vector<Acl> reserve_resources;
  std::vector<Acl> unreserve_resources;
  std::vector<Acl> create_volumes;
  std::vector<Acl> destroy_volumes;
  std::vector<Acl> resize_volumes;
};

// The ACLs JSON Mesos takes, e.g.
//   {"permissive": false,
//    "create_volumes": [{"principals": {"values": ["ops"]}, "roles": {"type": "ANY"}}]}
// Each rule needs both entities (they are `required` in Mesos's proto);
// `type` is "SOME" (the default), "ANY" or "NONE"; `values` is a list of
// strings (a lone string counts as one, as Mesos's JSON reader allows).
// Stricter than Mesos, which ignores what it does not know: an unknown key,
// an unknown type name or an ACL kind svh-master does not enforce
// (run_tasks, register_frameworks, ...) is an error, so that a rule is
// never silently without effect.
Result<Acls> parseAcls(const std::string& json);

// The --acls flag: inline JSON, or the path of a file holding it, given as
// "file:///path" or "/path" (Mesos flags::parse<ACLs>).
Result<Acls> readAcls(const std::string& flag);

// What is being authorized (Mesos ActionObject): an action on a resource
// (with the legacy `value`: the role or principal the rules look at), or on
// "ANY object" when there is no resource.
struct ActionObject {
  Action action;
  std::optional<mesos::v1::Resource> resource;
  std::string value;

  // Mesos's text: "perform action CREATE_VOLUME on object {"value":"eng",
  // "resource":{...}}" or "perform action DESTROY_VOLUME on ANY object".
  std::string describe() const;
};

// The pairs of an operation, as the Mesos master builds them (resources in
// post-refinement format):
//  * RESERVE without source: one per distinct reservation role of the
//    resources; with source: UNRESERVE pairs for each reservation popped to
//    reach the common ancestor, then RESERVE pairs for each one pushed;
//  * UNRESERVE: one per resource whose last reservation has a principal,
//    plus one "ANY object" pair if some have none;
//  * CREATE: one per distinct role of the volumes ("ANY object" if none);
//  * DESTROY: one per persistent volume, valued with its
//    `disk.persistence.principal` ("ANY object" if none);
//  * GROW_VOLUME / SHRINK_VOLUME: one for the volume's role.
// Other operations need nothing here (empty list).
std::vector<ActionObject> actionObjects(const mesos::v1::Offer::Operation& operation);

class Authorizer {
 public:
  explicit Authorizer(Acls acls) : acls_(std::move(acls)) {}

  // Whether `principal` (nullopt: an unauthenticated caller or a framework
  // without a principal, which Mesos matches as ANY) may do this.
  bool approved(const std::optional<std::string>& principal, const ActionObject& object) const;

  // The first pair of `objects` that is refused, if any (an empty list is
  // approved, as in Mesos).
  std::optional<ActionObject> firstRefused(const std::optional<std::string>& principal,
                                           const std::vector<ActionObject>& objects) const;

 private:
  Acls acls_;
};

// The drop message of a framework operation that is not authorized
// (Master::_accept, including Mesos's "no authorized" typo):
// "Principal '<p>' no authorized to <object.describe()>"; <p> is empty for
// a framework without a principal.
std::string refusalMessage(const std::string& framework_principal, const ActionObject& object);

}  // namespace svh::master::authorization
