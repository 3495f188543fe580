// Loading the object graph a checkpoint stores: the one place that reads the
// _CHECKPOINTABLE_OBJECT_GRAPH tensor, parses its TrackableObjectGraph proto
// and checks the node references before anything walks the graph (restore,
// ReadObjectGraph, ListObjectKeys).
#pragma once

#include "ckpt/bundle.h"
#include "ckpt/proto/trackable_object_graph.pb.h"
#include "ckpt/status.h"

namespace ckpt::graph {

// Reads, parses and validates the object graph of `reader`'s bundle.
// Errors: the reader's, e.g. NotFound when the bundle has no object graph
// (callers that treat that as "name-based" check Contains(kObjectGraphKey)
// first); DataLoss "cannot parse the object graph stored under
// _CHECKPOINTABLE_OBJECT_GRAPH in <prefix>" when the tensor is not a single
// string holding the proto; ValidateObjectGraph's DataLoss.
Result<proto::TrackableObjectGraph> LoadObjectGraph(const BundleReader& reader);

// Checks that the graph has a root and that every child and slot-variable
// reference names an existing node (DataLoss naming the first bad one), so
// walks may index nodes by those ids without checking.
Status ValidateObjectGraph(const proto::TrackableObjectGraph& graph);

}  // namespace ckpt::graph
