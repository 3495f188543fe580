// The small value types of the Saver API: SaverDef (and its proto), VarList,
// TensorVariable, device-name canonicalisation.
#include <google/protobuf/text_format.h>

#include <cstring>

#include "ckpt/proto/saver.pb.h"
#include "ckpt/saver.h"

namespace ckpt {
namespace {

proto::SaverDef ToProtoMessage(const SaverDef& d) {
  proto::SaverDef p;
  p.set_filename_tensor_name(d.filename_tensor_name);
  p.set_save_tensor_name(d.save_tensor_name);
  p.set_restore_op_name(d.restore_op_name);
  p.set_max_to_keep(d.max_to_keep);
  p.set_sharded(d.sharded);
  p.set_keep_checkpoint_every_n_hours(d.keep_checkpoint_every_n_hours);
  p.set_version(static_cast<proto::SaverDef::CheckpointFormatVersion>(d.version));
  return p;
}

}  // namespace

std::string SaverDef::SerializeAsString() const { return ToProtoMessage(*this).SerializeAsString(); }

std::string SaverDef::DebugString() const {
  std::string out;
  google::protobuf::TextFormat::PrintToString(ToProtoMessage(*this), &out);
  return out;
}

Result<SaverDef> SaverDef::Parse(std::string_view bytes) {
  proto::SaverDef p;
  if (!p.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return InvalidArgumentError("saver_def must be a saver_pb2.SaverDef: " + std::to_string(bytes.size()) +
                                " bytes that do not parse as one");
  }
  SaverDef d;
  d.filename_tensor_name = p.filename_tensor_name();
  d.save_tensor_name = p.save_tensor_name();
  d.restore_op_name = p.restore_op_name();
  d.max_to_keep = p.max_to_keep();
  d.sharded = p.sharded();
  d.keep_checkpoint_every_n_hours = p.keep_checkpoint_every_n_hours();
  d.version = p.version();
  return d;
}

VarList VarList::List(std::vector<VariablePtr> variables) {
  VarList v;
  v.kind_ = Kind::kList;
  for (auto& var : variables) v.entries_.emplace_back(std::string(), std::move(var));
  return v;
}

VarList VarList::Map(std::vector<std::pair<std::string, VariablePtr>> entries) {
  VarList v;
  v.kind_ = Kind::kMap;
  v.entries_ = std::move(entries);
  return v;
}

VarList VarList::AllVariables(std::function<std::vector<VariablePtr>()> all_variables) {
  VarList v;
  v.all_ = std::move(all_variables);
  return v;
}

Status TensorVariable::Assign(Tensor restored) {
  if (restored.dtype() != value_.dtype() || !(restored.shape() == value_.shape())) {
    return InvalidArgumentError("Assign to variable " + name_ + " of " + std::string(DTypeName(value_.dtype())) +
                                " " + value_.shape().ToString() + " with a value of " +
                                std::string(DTypeName(restored.dtype())) + " " + restored.shape().ToString());
  }
  value_ = std::move(restored);
  return OkStatus();
}

std::string CanonicalDeviceName(std::string_view device) {
  std::string job, replica, task, type, index;
  size_t pos = 0;
  while (pos <= device.size()) {
    size_t next = device.find('/', pos);
    if (next == std::string_view::npos) next = device.size();
    std::string_view part = device.substr(pos, next - pos);
    pos = next + 1;
    if (part.empty()) continue;
    const size_t colon = part.find(':');
    std::string_view head = part.substr(0, colon);
    std::string_view rest = colon == std::string_view::npos ? std::string_view() : part.substr(colon + 1);
    if (head == "job") {
      job = rest;
    } else if (head == "replica") {
      replica = rest;
    } else if (head == "task") {
      task = rest;
    } else if (head == "device") {
      const size_t c2 = rest.find(':');
      type = rest.substr(0, c2);
      index = c2 == std::string_view::npos ? std::string() : std::string(rest.substr(c2 + 1));
    } else {  // legacy "cpu:0", "gpu:1", or "CPU:0"
      type = head;
      for (char& ch : type) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      index = rest;
    }
  }
  std::string out;
  if (!job.empty()) out += "/job:" + job;
  if (!replica.empty()) out += "/replica:" + replica;
  if (!task.empty()) out += "/task:" + task;
  if (!type.empty()) out += "/device:" + type + (index.empty() ? "" : ":" + index);
  return out;
}

}  // namespace ckpt
