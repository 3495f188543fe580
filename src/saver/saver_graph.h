// The graph part of the `.meta` file a Saver writes: variable nodes plus the
// save and restore subgraphs TF1's Saver would have built, so that TF's
// `tf.compat.v1.train.import_meta_graph(path + ".meta")` re-creates the
// variables and a Saver whose `restore(sess, path)` (and `save`) work on our
// checkpoints.
//
// Per variable (or variable part) `N` (resource variables, TF 2's default in
// graph mode):
//   N/Initializer/initial_value  Const (zeros of the variable's shape: the
//                                TensorProto has no values, which TF fills
//                                with zeros; the .meta stays small)
//   N                            VarHandleOp (shared_name N)
//   N/Assign                     AssignVariableOp(N, initial_value)
//   N/Read/ReadVariableOp        ReadVariableOp(N)
// Save/restore subgraph, with the SaverDef's three names as anchors (the
// filename tensor, the save tensor, the restore op) and every other node in
// the restore op's scope (`save/` by default), laid out as TF lays it out:
//   filename/input (Const, SaverOptions::filename) -> filename
//   (PlaceholderWithDefault) -> <filename tensor> (PlaceholderWithDefault);
//   V2: SaveV2 -> control_dependency; V1: SaveSlices -> control_dependency;
//   sharded V2: StringJoin(<f>, "_temp/part") -> ShardedFilename per shard ->
//     SaveV2 per shard -> MergeV2Checkpoints -> Identity;
//   sharded V1: ShardedFilename per shard -> SaveSlices -> ShardedFilespec;
//   restore: RestoreV2 (one, or one per shard) -> Identity [-> Reshape when
//     reshape] -> AssignVariableOp per variable -> restore_all (NoOp).
// Attributes that have defaults in TF's op registry and were added in later
// releases (validate_shape, allowed_devices, debug_name, allow_missing_files)
// are left out so that older releases import the graph too.
#pragma once

#include <string>
#include <vector>

#include "ckpt/proto/meta_graph.pb.h"
#include "ckpt/saver.h"

namespace ckpt::saver {

// One variable (or part) as the graph sees it.
struct GraphVariable {
  std::string name;    // the variable's own name (sanitised into a node name)
  std::string device;  // as given by the variable
  DType dtype = DType::kInvalid;
  TensorShape shape;   // the variable's (part's) shape
  std::string key;     // checkpoint key
  std::optional<PartitionInfo> partition;
  int shard = 0;       // device group (sharded savers)
};

struct GraphOptions {
  SaverDef def;
  bool sharded = false;
  int num_shards = 1;
  std::string filename = "model";  // default value of the filename tensor (SV-08)
  bool reshape = false;
};

// Fills `graph` and returns one VariableDef per entry of `variables` (same
// order), naming the nodes made for it. InvalidArgument when a SaverDef name
// cannot anchor a node (empty, or a tensor name whose output index is not 0).
Status BuildSaverGraph(const std::vector<GraphVariable>& variables, const GraphOptions& options,
                       proto::GraphDef* graph, std::vector<proto::VariableDef>* variable_defs);

// TF's "<full shape> <slice>" spec of a part ("5 2 0,2:0,2"); "" when whole.
std::string ShapeAndSliceSpec(const std::optional<PartitionInfo>& partition);

// TF's GraphDef version (producer) recorded in the graph: the one TF 2.21
// writes, the release the graph was checked against.
inline constexpr int kGraphDefProducer = 2474;

}  // namespace ckpt::saver
